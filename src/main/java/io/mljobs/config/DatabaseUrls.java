package io.mljobs.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Database URLs as the service takes them ({@code postgresql://[user[:password]@]host[:port]/database[?…]}, and for
 * the primary also libpq's multi-host form {@code postgresql://host1:port1,host2:port2/database[?…]}): whether one is
 * usable, its hosts, and how to show one without its password (logs, refusals, db-health).
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

    /**
     * The URL once per host it names, in its order, each a one-host URL with the same user, database and
     * parameters: {@code postgresql://a:5432,b:5433/db?x=1} gives {@code postgresql://a:5432/db?x=1} and
     * {@code postgresql://b:5433/db?x=1}. A one-host URL is returned as it is.
     */
    public static List<String> hosts(String url) {
        String trimmed = url.trim();
        int scheme = trimmed.indexOf("://");
        if (scheme < 0) {
            return List.of(trimmed);
        }
        int start = scheme + 3;
        int end = start;
        while (end < trimmed.length() && trimmed.charAt(end) != '/' && trimmed.charAt(end) != '?') {
            end++;
        }
        String authority = trimmed.substring(start, end);
        int at = authority.lastIndexOf('@');
        String userInfo = at >= 0 ? authority.substring(0, at + 1) : "";
        String hostList = authority.substring(at + 1);
        if (hostList.indexOf(',') < 0) {
            return List.of(trimmed);
        }
        List<String> urls = new ArrayList<>();
        for (String host : hostList.split(",", -1)) {
            urls.add(trimmed.substring(0, start) + userInfo + host.trim() + trimmed.substring(end));
        }
        return urls;
    }

    /** Why the URL (of one host or several) cannot name a PostgreSQL database, or empty when it can; no password. */
    public static Optional<String> problem(String url) {
        List<String> hosts = hosts(url);
        if (hosts.size() > 1) {
            for (String host : hosts) {
                Optional<String> problem = problemOfOne(host);
                if (problem.isPresent()) {
                    return Optional.of("'" + withoutPassword(url) + "': " + problem.get());
                }
            }
            return Optional.empty();
        }
        return problemOfOne(url);
    }

    private static Optional<String> problemOfOne(String url) {
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
