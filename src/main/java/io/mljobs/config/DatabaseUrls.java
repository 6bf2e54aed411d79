package io.mljobs.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Database URLs as the service takes them ({@code postgresql://[user[:password]@]host[:port]/database[?…]}):
 * whether one is usable, and how to show one without its password (logs, refusals, db-health).
 */
public final class DatabaseUrls {

    private DatabaseUrls() {
    }

    /** The replica URLs of the configuration, trimmed, blanks dropped; empty when none are set. */
    public static List<String> replicas(MlJobsConfig config) {
        List<String> urls = new ArrayList<>();
        config.db().replica().urls().orElse(List.of()).stream().map(String::trim).filter(url -> !url.isEmpty())
                .forEach(urls::add);
        return urls;
    }

    /** Why the URL cannot name a PostgreSQL database, or empty when it can. Never shows a password. */
    public static Optional<String> problem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("'" + withoutPassword(url) + "' is not a URL");
        }
        if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            return Optional.of("'" + withoutPassword(url) + "' is not a postgresql:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("'" + withoutPassword(url) + "' names no host");
        }
        String path = uri.getPath();
        if (path == null || path.length() < 2 || path.indexOf('/', 1) >= 0) {
            return Optional.of("'" + withoutPassword(url) + "' names no database (postgresql://host:port/database)");
        }
        return Optional.empty();
    }

    /** Whether the URL carries a user of its own ({@code user@host}); if not, the service's user applies. */
    public static boolean hasUser(String url) {
        try {
            String userInfo = new URI(url).getRawUserInfo();
            return userInfo != null && !userInfo.isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The URL with any password replaced by {@code ***}; query parameters (which may hold one) dropped. */
    public static String withoutPassword(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url.replaceAll(":[^:@/]*@", ":***@");
        }
        String rest = url.substring(scheme + 3);
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            int colon = userInfo.indexOf(':');
            rest = (colon >= 0 ? userInfo.substring(0, colon) + ":***" : userInfo) + rest.substring(at);
        }
        return url.substring(0, scheme + 3) + rest;
    }
}
