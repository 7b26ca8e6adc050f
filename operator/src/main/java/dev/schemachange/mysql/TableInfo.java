package dev.schemachange.mysql;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the Inspector read about one table. Names keep the server's spelling; lookups ignore case as
 * MySQL does.
 */
public record TableInfo(
        String schema,
        String name,
        String engine,
        List<Column> columns,
        List<Index> indexes,
        List<ForeignKey> foreignKeys,
        List<ForeignKey> referencedBy,
        List<Trigger> triggers,
        long rowEstimate,
        String createSql) {

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst();
    }

    /**
     * Unique keys whose columns are all NOT NULL: each identifies a row, so it can drive chunking.
     */
    public List<Index> rowKeys() {
        return indexes.stream()
                .filter(Index::unique)
                .filter(
                        i ->
                                i.columns().stream()
                                        .allMatch(
                                                c ->
                                                        column(c)
                                                                .map(col -> !col.nullable())
                                                                .orElse(false)))
                .toList();
    }

    /**
     * @param hasDefault the column has a DEFAULT (DEFAULT NULL included) or is filled by the server
     */
    public record Column(
            String name,
            int position,
            String dataType,
            String columnType,
            boolean nullable,
            boolean generated,
            String charset,
            String collation,
            boolean hasDefault) {

        /** Same type, charset and collation: a value of one fits the other unchanged, both ways. */
        public boolean sameTypeAs(Column other) {
            return columnType.equalsIgnoreCase(other.columnType)
                    && java.util.Objects.equals(charset, other.charset)
                    && java.util.Objects.equals(collation, other.collation);
        }

        public String dataTypeLower() {
            return dataType.toLowerCase(Locale.ROOT);
        }

        public boolean isInteger() {
            return switch (dataTypeLower()) {
                case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year" -> true;
                default -> false;
            };
        }

        public boolean isUnsigned() {
            return columnType.toLowerCase(Locale.ROOT).contains("unsigned");
        }

        public boolean isFloatingPoint() {
            return switch (dataTypeLower()) {
                case "float", "double", "real", "double precision" -> true;
                default -> false;
            };
        }

        public boolean isDecimal() {
            return dataTypeLower().equals("decimal") || dataTypeLower().equals("numeric");
        }

        public boolean isBinary() {
            return switch (dataTypeLower()) {
                case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> true;
                default -> false;
            };
        }

        public boolean isEnumOrSet() {
            return dataTypeLower().equals("enum") || dataTypeLower().equals("set");
        }
    }

    public record Index(String name, boolean primary, boolean unique, List<String> columns) {}

    public record ForeignKey(
            String name,
            String schema,
            String table,
            List<String> columns,
            String refSchema,
            String refTable,
            List<String> refColumns,
            String onUpdate,
            String onDelete) {}

    public record Trigger(
            String name,
            String event,
            String timing,
            String statement,
            String sqlMode,
            String definer,
            long actionOrder,
            String characterSetClient,
            String collationConnection) {}
}
