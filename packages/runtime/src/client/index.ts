/** client: see CONTRACT.md. */
export {};
