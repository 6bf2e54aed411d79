package io.mljobs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import io.mljobs.client.ApiClient;
import io.mljobs.client.ApiException;
import io.mljobs.client.api.JobsApi;
import io.mljobs.client.api.WorkersApi;
import io.mljobs.client.model.BatchCreateRequest;
import io.mljobs.client.model.ClaimRequest;
import io.mljobs.client.model.ClaimedJobs;
import io.mljobs.client.model.CompleteRequest;
import io.mljobs.client.model.CreateJobRequest;
import io.mljobs.client.model.HeartbeatRequest;
import io.mljobs.client.model.JobPage;
import io.mljobs.client.model.JobStats;
import io.mljobs.client.model.JobStatus;
import io.mljobs.client.model.JobView;
import io.mljobs.client.model.Lease;
import io.mljobs.testing.PostgresTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;

/**
 * A client generated from the committed OpenAPI document (target/generated-test-sources/openapi, by
 * openapi-generator in generate-test-sources) drives the packaged service through a job's life: a
 * client that follows the document can use the API.
 */
@QuarkusIntegrationTest
@WithTestResource(value = PostgresTestResource.class, initArgs = {
        @ResourceArg(name = "label", value = "client"),
        @ResourceArg(name = "admin-password", value = "it-admin-password-2026") })
class GeneratedClientIT {

    @Test
    void aJobsLifeThroughTheGeneratedClient() throws ApiException {
        ApiClient client = new ApiClient();
        client.updateBaseUri(RestAssured.baseURI + ":" + RestAssured.port);
        JobsApi jobs = new JobsApi(client);
        WorkersApi workers = new WorkersApi(client);
        String since = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(1).toString();

        JobView one = jobs.submitJob(new CreateJobRequest().inputText("generated client"));
        assertEquals(JobStatus.PENDING, one.getStatus());
        assertNull(one.getStartedAt());
        List<UUID> batch = jobs.submitJobBatch(new BatchCreateRequest().jobs(IntStream.range(0, 7)
                .mapToObj(i -> new CreateJobRequest().inputText("batch " + i)).toList())).getJobUuids();
        assertEquals(7, batch.size());

        List<UUID> walked = new ArrayList<>();
        String cursor = null;
        do {
            JobPage page = jobs.listJobs(since, null, cursor, 3, "asc", "pending");
            page.getJobs().forEach(job -> walked.add(job.getJobUuid()));
            cursor = page.getPagination().getNextCursor();
            assertEquals(cursor != null, page.getPagination().getHasMore().booleanValue());
        } while (cursor != null);
        assertEquals(8, walked.size());
        assertEquals(8, new HashSet<>(walked).size(), "no job twice");
        assertEquals(one.getJobUuid(), walked.get(0), "oldest first");

        JobStats stats = jobs.getJobStats();
        assertEquals(stats.getTotal().longValue(), stats.getByStatus().getPending() + stats.getByStatus().getRunning()
                + stats.getByStatus().getCompleted() + stats.getByStatus().getFailed());
        assertTrue(stats.getByStatus().getPending() >= 8);

        ClaimedJobs claimed = workers.claimJobs(new ClaimRequest().workerId("generated").limit(1));
        JobView job = claimed.getJobs().get(0);
        assertEquals(one.getJobUuid(), job.getJobUuid(), "the oldest pending job");
        assertEquals("generated client", job.getInputText());
        assertEquals(JobStatus.RUNNING, job.getStatus());

        Lease lease = workers.heartbeatJob(job.getJobUuid(), new HeartbeatRequest().workerId("generated"));
        assertTrue(lease.getLeaseExpiresAt().isAfter(lease.getHeartbeatAt()));

        JobView done = workers.completeJob(job.getJobUuid(),
                new CompleteRequest().resultScore(0.75).resultLabel("cat").workerId("generated"));
        assertEquals(JobStatus.COMPLETED, done.getStatus());
        assertEquals(0.75, done.getResultScore().doubleValue());
        assertNotNull(done.getCompletedAt());
        assertEquals(JobStatus.COMPLETED, jobs.getJob(job.getJobUuid()).getStatus());
    }
}
