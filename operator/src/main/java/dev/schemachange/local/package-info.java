/**
 * A throwaway local MariaDB server and application-like writers, for the demo, the tests and the
 * benchmarks.
 */
package dev.schemachange.local;
