package io.mljobs.api;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.mljobs.config.MlJobsConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Bounds the request bodies held in memory at once. A body is buffered whole and then parsed into
 * strings several times its size, so forty 15 MB bodies at once exhausted a 384 MiB heap. Each
 * request with a body reserves its Content-Length (a chunked one the largest allowed size) before
 * anything is read, and returns it when its response ends; one that does not fit gets 503 with
 * Retry-After at once, and its body is never read.
 */
@ApplicationScoped
public class BodyBudget {

    /** After Quarkus' own 413 check (order -2), so oversized bodies are still answered 413. */
    static final int ROUTE_ORDER = -1;

    private final long budget;
    private final long maxBody;
    private final AtomicLong reserved = new AtomicLong();
    private static final Problem BUSY = new Problem("/problems/server-busy", "Server busy", 503,
            "Too many large request bodies are being processed; retry after the time in Retry-After.", null);

    public BodyBudget(MlJobsConfig config) {
        this.budget = config.http().bodyBudget().asLongValue();
        this.maxBody = config.http().maxBodySize().asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(ROUTE_ORDER).handler(this::admit);
    }

    private void admit(RoutingContext ctx) {
        long size = declaredSize(ctx);
        if (size <= 0) {
            ctx.next();
            return;
        }
        if (!tryReserve(size)) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1")
                    // The body stays unread, so the connection cannot carry another request.
                    .putHeader(HttpHeaders.CONNECTION, "close");
            RouteProblems.send(ctx, BUSY);
            return;
        }
        AtomicBoolean returned = new AtomicBoolean();
        ctx.addEndHandler(ended -> {
            if (returned.compareAndSet(false, true)) {
                reserved.addAndGet(-size);
            }
        });
        ctx.next();
    }

    private long declaredSize(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
            return 0;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) == null ? 0 : maxBody;
        }
        try {
            return Math.min(Long.parseLong(length.trim()), maxBody);
        } catch (NumberFormatException e) {
            return maxBody;
        }
    }

    private boolean tryReserve(long size) {
        long now;
        do {
            now = reserved.get();
            // One body always fits, however large, so the largest allowed request can ever be served.
            if (now > 0 && now + size > budget) {
                return false;
            }
        } while (!reserved.compareAndSet(now, now + size));
        return true;
    }
}
