/** server: see CONTRACT.md. */
export {};
