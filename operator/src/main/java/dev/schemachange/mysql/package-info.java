/**
 * The SQL dialect: identifier validation and quoting, the lexer that keeps manifest SQL to one
 * statement, and the Inspector that reads tables and the server.
 */
package dev.schemachange.mysql;
