package io.mljobs.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes a problem answer from a router handler (request guard, body budget, login throttle),
 * where Quarkus REST's exception mappers do not reach. Headers such as Retry-After are set by the
 * caller first; a response marked {@code Connection: close} closes the connection once written.
 */
public final class RouteProblems {

    private RouteProblems() {
    }

    public static void send(RoutingContext ctx, Problem problem) {
        JsonObject body = new JsonObject()
                .put("type", problem.type())
                .put("title", problem.title())
                .put("status", problem.status())
                .put("detail", problem.detail())
                .put("instance", ctx.request().path());
        if ("close".equals(ctx.response().headers().get(HttpHeaders.CONNECTION))) {
            ctx.response().endHandler(ignored -> ctx.request().connection().close());
        }
        ctx.response().setStatusCode(problem.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(body.encode());
    }
}
