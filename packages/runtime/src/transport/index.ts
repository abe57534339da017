/** transport: see CONTRACT.md. */
export {};
