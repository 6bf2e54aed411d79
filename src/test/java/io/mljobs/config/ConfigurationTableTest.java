package io.mljobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

/**
 * The mapping, application.properties and README's configuration table name the same keys and
 * environment variables, so that a key added to one and forgotten in another fails the build.
 */
class ConfigurationTableTest {

    private static final Path PROPERTIES = Path.of("src/main/resources/application.properties");
    private static final Path README = Path.of("README.md");
    private static final String HEADING = "## Configuration";
    /** A whole value {@code ${MLJOBS_X}} or {@code ${MLJOBS_X:default}}. */
    private static final Pattern ENV_VALUE = Pattern.compile("\\$\\{(MLJOBS_[A-Z0-9_]+)(?::(.*))?}");
    private static final Pattern ENV_ANYWHERE = Pattern.compile("\\$\\{(MLJOBS_[A-Z0-9_]+)");
    private static final Pattern ONE_CODE_SPAN = Pattern.compile("`([^`]*)`");

    record Row(String property, String env, String defaultCell) {
    }

    private static Properties properties;
    private static List<Row> table;

    @BeforeAll
    static void read() throws IOException {
        properties = new Properties();
        try (Reader reader = Files.newBufferedReader(PROPERTIES)) {
            properties.load(reader);
        }
        table = readmeTable(Files.readAllLines(README));
    }

    @Test
    void mappingDeclaresExactlyTheKeysApplicationPropertiesSets() {
        String prefix = MlJobsConfig.class.getAnnotation(ConfigMapping.class).prefix();
        assertSameSets("application.properties", mljobsKeys(), "the mapping", mappingKeys(MlJobsConfig.class, prefix));
    }

    @Test
    void profileValuesOverrideMappedKeys() {
        Set<String> mapped = mljobsKeys();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("%") && key.contains(".mljobs.")) {
                String bare = key.substring(key.indexOf('.') + 1);
                assertTrue(mapped.contains(bare), key + " overrides no key the mapping declares");
            }
        }
    }

    @Test
    void readmeTableListsExactlyTheMljobsKeys() {
        Set<String> listed = new TreeSet<>();
        for (Row row : table) {
            if (row.property().startsWith("mljobs.")) {
                listed.add(row.property());
            }
        }
        assertSameSets("application.properties", mljobsKeys(), "README's table", listed);
    }

    @Test
    void readmeTableListsExactlyTheEnvironmentVariablesAndTheirKeys() {
        Map<String, String> listed = new TreeMap<>();
        for (Row row : table) {
            if (row.env().startsWith("MLJOBS_")) {
                assertFalse(listed.containsKey(row.env()), row.env() + " is listed twice");
                listed.put(row.env(), row.property());
            }
        }
        Map<String, String> set = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            Matcher env = ENV_VALUE.matcher(properties.getProperty(key).trim());
            if (!key.startsWith("%") && env.matches()) {
                set.put(env.group(1), key);
            }
        }
        assertSameSets("application.properties", pairs(set), "README's table", pairs(listed));
        // A variable used only in a profile would have no row.
        for (String key : properties.stringPropertyNames()) {
            Matcher env = ENV_ANYWHERE.matcher(properties.getProperty(key));
            while (env.find()) {
                assertTrue(set.containsKey(env.group(1)), env.group(1) + " (in " + key + ") has no row");
            }
        }
    }

    @Test
    void readmeDefaultsAreTheDefaultsOfApplicationProperties() {
        for (Row row : table) {
            Matcher cell = ONE_CODE_SPAN.matcher(row.defaultCell());
            String value = properties.getProperty(row.property());
            if (!cell.matches() || value == null) {
                // Prose (a default per profile, Quarkus' own) is for the reader to check.
                continue;
            }
            Matcher env = ENV_VALUE.matcher(value.trim());
            assertTrue(env.matches(), row.property() + " is not set from an environment variable");
            assertEquals(env.group(2), cell.group(1), "default of " + row.property());
        }
    }

    private static Set<String> pairs(Map<String, String> envToKey) {
        Set<String> pairs = new TreeSet<>();
        envToKey.forEach((env, key) -> pairs.add(env + " -> " + key));
        return pairs;
    }

    private static <T> void assertSameSets(String oneName, Set<T> one, String otherName, Set<T> other) {
        Set<T> onlyOne = new TreeSet<>(one);
        onlyOne.removeAll(other);
        Set<T> onlyOther = new TreeSet<>(other);
        onlyOther.removeAll(one);
        assertTrue(onlyOne.isEmpty() && onlyOther.isEmpty(), "in " + oneName + " only: " + onlyOne + "; in "
                + otherName + " only: " + onlyOther);
    }

    /** The rows of the first table under the heading, by the header's column names. */
    static List<Row> readmeTable(List<String> lines) {
        int start = lines.indexOf(HEADING);
        assertTrue(start >= 0, "README has no line " + HEADING);
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("# ") || line.startsWith("## ")) {
                break;
            }
            if (line.startsWith("|")) {
                rows.add(line.substring(1, line.lastIndexOf('|')).split("\\|", -1));
            } else if (!rows.isEmpty()) {
                break;
            }
        }
        assertTrue(rows.size() > 2, "no table under " + HEADING);
        List<String> header = Arrays.stream(rows.get(0)).map(String::trim).toList();
        int property = column(header, "property");
        int env = column(header, "environment variable");
        int defaultValue = column(header, "default");
        List<Row> table = new ArrayList<>();
        for (String[] cells : rows.subList(2, rows.size())) {
            table.add(new Row(code(cells[property]), code(cells[env]), cells[defaultValue].trim()));
        }
        return table;
    }

    private static int column(List<String> header, String name) {
        int index = header.indexOf(name);
        assertTrue(index >= 0, "the table under " + HEADING + " has no column " + name + ": " + header);
        return index;
    }

    private static String code(String cell) {
        Matcher span = ONE_CODE_SPAN.matcher(cell.trim());
        return span.find() ? span.group(1) : cell.trim();
    }

    private static Set<String> mljobsKeys() {
        Set<String> keys = new TreeSet<>();
        for (String key : properties.stringPropertyNames()) {
            if (key.startsWith("mljobs.")) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Each leaf method's key: group and method names in kebab case, joined by dots. */
    static Set<String> mappingKeys(Class<?> group, String prefix) {
        Set<String> keys = new TreeSet<>();
        for (Method method : group.getMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            WithName name = method.getAnnotation(WithName.class);
            String key = prefix + "." + (name != null ? name.value() : kebab(method.getName()));
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getName().startsWith(MlJobsConfig.class.getName() + "$")) {
                keys.addAll(mappingKeys(type, key));
            } else {
                keys.add(key);
            }
        }
        return keys;
    }

    static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
