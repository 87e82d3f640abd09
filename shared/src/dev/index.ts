/**
 * Development and test tooling, kept off the runtime barrel so no service process loads it:
 * only the processes that embed PostgreSQL (npm start, the stack supervisor, the test run's
 * global setup, benchmarks) and the scripts and tests that pick ports import this entry point.
 */
export * from "./embedded-postgres.js";
export * from "./free-port.js";
export * from "./scram.js";
