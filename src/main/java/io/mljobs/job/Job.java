package io.mljobs.job;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/**
 * A row of {@code ml_jobs}, as the entity a submitted job is inserted through. Hibernate Reactive Panache owns the
 * {@code Job} entity and its one write, submitting a single job (an unconditional one-row insert); every read and
 * every conditional, set-based or batch statement goes through the SQL client as a {@code NamedQuery}
 * ({@link JobRepository}).
 */
@Entity
@Table(name = "ml_jobs")
public class Job extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "job_uuid", nullable = false, updatable = false)
    public UUID jobUuid;

    @Column(name = "input_text", nullable = false, columnDefinition = "text")
    public String inputText;

    @Column(name = "status", nullable = false, columnDefinition = "text")
    public JobStatus status;

    @Column(name = "result_score")
    public Double resultScore;

    @Column(name = "result_label", columnDefinition = "text")
    public String resultLabel;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    @Column(name = "worker_id", columnDefinition = "text")
    public String workerId;

    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;

    @Column(name = "error", columnDefinition = "text")
    public String error;

    public static Job pending(String inputText) {
        Job job = new Job();
        job.jobUuid = UUID.randomUUID();
        job.inputText = inputText;
        job.status = JobStatus.PENDING;
        // Stamped here, at PostgreSQL's precision: Hibernate Reactive 3 (still 3.2.11) fails reading back a
        // database-generated column together with the identity (ArrayIndexOutOfBoundsException).
        job.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return job;
    }
}
