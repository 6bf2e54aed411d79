package io.mljobs.api;

import jakarta.ws.rs.core.Response;

/**
 * The problem for an HTTP-level refusal (unknown path, wrong method, too large…), the same whether
 * Quarkus REST or the router answers it, so that clients see one {@code type} per status.
 */
public final class StatusProblems {

    private StatusProblems() {
    }

    public static Problem of(int status) {
        String title = switch (status) {
            // RFC 9110 names, where JAX-RS still has the older reason phrases.
            case 413 -> "Payload Too Large";
            case 414 -> "URI Too Long";
            case 431 -> "Request Header Fields Too Large";
            case 400 -> "Invalid request";
            case 500 -> "Internal error";
            default -> {
                Response.Status known = Response.Status.fromStatusCode(status);
                yield known == null ? "Error " + status : known.getReasonPhrase();
            }
        };
        String slug = switch (status) {
            case 400 -> "invalid-request";
            case 500 -> "internal-error";
            default -> title.toLowerCase().replace(' ', '-');
        };
        return new Problem("/problems/" + slug, title, status, detailFor(status), null);
    }

    private static String detailFor(int status) {
        return switch (status) {
            case 400 -> "The request could not be read as sent.";
            case 404 -> "No resource at this path.";
            case 405 -> "This path does not accept that method.";
            case 406 -> "This resource answers with application/json only.";
            case 413 -> "The request body is larger than the service accepts.";
            case 414 -> "The request line is longer than the service accepts.";
            case 415 -> "Send the body as application/json.";
            case 431 -> "The request headers are larger than the service accepts.";
            case 500 -> "The request failed on the server.";
            default -> "The request could not be served.";
        };
    }
}
