import { defineConfig } from "vitest/config";

// The interop suite (test/interop/run.sh starts the servers first). Files run one after another: they share the
// servers' maildirs and Postfix's Dovecot delays each failed login, so parallel files would only add noise.
export default defineConfig({
  test: {
    include: ["test/interop/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
  },
});
