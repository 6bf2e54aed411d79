package io.mljobs.job;

import java.util.Optional;

import io.mljobs.api.LowerCaseEnums;

/** Listing order on (created_at, id). */
public enum SortOrder {
    ASC,
    DESC;

    public String value() {
        return LowerCaseEnums.value(this);
    }

    public static Optional<SortOrder> parse(String value) {
        return LowerCaseEnums.parse(SortOrder.class, value);
    }
}
