package io.mljobs.job;

import java.util.Locale;
import java.util.Optional;

/** Listing order on (created_at, id). */
public enum SortOrder {
    ASC,
    DESC;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<SortOrder> parse(String value) {
        for (SortOrder order : values()) {
            if (order.value().equals(value)) {
                return Optional.of(order);
            }
        }
        return Optional.empty();
    }
}
