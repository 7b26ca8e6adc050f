/** Whether the next chunk may run: server load and replica lag, checked between chunks. */
package dev.schemachange.engine.throttle;
