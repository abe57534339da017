/**
 * The largest message this project's peers accept in the bench: above the biggest `large` size
 * (16 MB), so that what is measured is the transfer, not the default 16 MiB limit's margin.
 */
export const BENCH_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
