/** validate: see CONTRACT.md. */
export {};
