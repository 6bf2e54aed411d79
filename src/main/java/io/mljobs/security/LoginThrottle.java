package io.mljobs.security;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.mljobs.api.Problem;
import io.mljobs.api.RouteProblems;
import io.mljobs.config.MlJobsConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Throttles password guessing: after {@code max-failures} failed HTTP Basic logins (401 answers to
 * requests that carried credentials) from one remote address within {@code window}, every request
 * with credentials from that address gets 429 with Retry-After until the window has passed, even
 * with the right password, so guessing on cannot tell a hit from a miss.
 *
 * <p>
 * A Vert.x route ahead of every other, rather than a decorator of the identity provider: it
 * sees the remote address and the final status whichever mechanism or permission refused the
 * request (admin and job API alike, checked lazily by Quarkus REST), and a throttled address is
 * answered before any password is checked. Requests without credentials pass untouched, so
 * anonymous readers behind the same address are not locked out. At most {@code max-addresses}
 * addresses are remembered (least recently seen dropped first), so memory stays bounded under a
 * spray from many addresses. Behind a proxy, enable quarkus.http.proxy.* so the address is the client's.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);

    private static final Problem TOO_MANY = new Problem("/problems/too-many-failed-logins", "Too many failed logins",
            429, "Too many failed logins from this address; try again after the time in Retry-After.", null);

    private final int maxFailures;
    private final long windowMillis;
    private final Map<String, Failures> byAddress;

    /** Failures since {@code start}; {@code blockedUntil} is 0 until the limit is reached. */
    private static final class Failures {
        long start;
        int count;
        long blockedUntil;
    }

    public LoginThrottle(MlJobsConfig config) {
        MlJobsConfig.Security.LoginThrottle throttle = config.security().loginThrottle();
        int maxAddresses = throttle.maxAddresses();
        this.maxFailures = throttle.maxFailures();
        this.windowMillis = throttle.window().toMillis();
        // Access order: the least recently seen address goes first when the map is full.
        this.byAddress = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    void install(@Observes Router router) {
        // Before Quarkus' own routes (REST, where credentials are checked).
        router.route().order(Integer.MIN_VALUE).handler(this::filter);
    }

    void filter(RoutingContext ctx) {
        if (ctx.request().getHeader(HttpHeaders.AUTHORIZATION) == null) {
            ctx.next();
            return;
        }
        String address = address(ctx);
        long retryAfterMillis = blockedFor(address);
        if (retryAfterMillis > 0) {
            tooMany(ctx, retryAfterMillis);
            return;
        }
        ctx.addHeadersEndHandler(ignored -> {
            if (ctx.response().getStatusCode() == 401) {
                failed(address);
            }
        });
        ctx.next();
    }

    /** Milliseconds until this address may try again; 0 if it may now. */
    long blockedFor(String address) {
        long now = System.currentTimeMillis();
        synchronized (byAddress) {
            Failures failures = byAddress.get(address);
            if (failures == null) {
                return 0;
            }
            if (failures.blockedUntil > now) {
                return failures.blockedUntil - now;
            }
            if (failures.blockedUntil != 0 || now - failures.start >= windowMillis) {
                byAddress.remove(address);
            }
            return 0;
        }
    }

    void failed(String address) {
        long now = System.currentTimeMillis();
        synchronized (byAddress) {
            Failures failures = byAddress.get(address);
            if (failures == null || now - failures.start >= windowMillis) {
                failures = new Failures();
                failures.start = now;
                byAddress.put(address, failures);
            }
            if (++failures.count >= maxFailures && failures.blockedUntil == 0) {
                failures.blockedUntil = now + windowMillis;
                LOG.warnf("%d failed logins from %s: refusing its credentials for %d s", failures.count, address,
                        windowMillis / 1000);
            }
        }
    }

    private void tooMany(RoutingContext ctx, long retryAfterMillis) {
        long seconds = Math.max(1, (retryAfterMillis + 999) / 1000);
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        RouteProblems.send(ctx, TOO_MANY);
    }

    private static String address(RoutingContext ctx) {
        SocketAddress remote = ctx.request().remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }
}
