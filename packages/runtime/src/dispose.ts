/**
 * `Symbol.asyncDispose`, which `await using` calls, where the JavaScript engine has it: Node 20
 * before 20.4 does not, and there connections, clients and mocks simply lack the method.
 */
export const asyncDispose: symbol | undefined = (Symbol as { readonly asyncDispose?: symbol })
  .asyncDispose;
