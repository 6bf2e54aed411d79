package io.mljobs.api;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one outside spelling of the service's enums: the constant's name in lower case, the same in
 * JSON, in parameters and in the database. Each enum delegates its {@code value()} and
 * {@code parse(String)} here.
 */
public final class LowerCaseEnums {

    // Built once per enum type: rows map their status through parse one by one.
    private static final ClassValue<Map<String, Object>> BY_VALUE = new ClassValue<>() {
        @Override
        protected Map<String, Object> computeValue(Class<?> type) {
            Map<String, Object> byValue = new HashMap<>();
            for (Object constant : type.getEnumConstants()) {
                byValue.put(value((Enum<?>) constant), constant);
            }
            return Map.copyOf(byValue);
        }
    };

    private LowerCaseEnums() {
    }

    public static String value(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** Empty for null or for a text that names no constant (case matters: only lower case is valid). */
    public static <E extends Enum<E>> Optional<E> parse(Class<E> type, String value) {
        return value == null ? Optional.empty() : Optional.ofNullable(type.cast(BY_VALUE.get(type).get(value)));
    }

    /** Every value in declaration order, for a message that lists what is allowed: "a, b, c". */
    public static String allowed(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(LowerCaseEnums::value).collect(Collectors.joining(", "));
    }
}
