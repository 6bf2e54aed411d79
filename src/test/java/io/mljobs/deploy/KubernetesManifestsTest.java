package io.mljobs.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;

/**
 * Every file under {@code deploy/kubernetes} against Kubernetes' own schemas: the API models the
 * Kubernetes project generates from its OpenAPI document, whose validation refuses a field the API
 * does not define and a missing required one, as {@code kubectl apply --validate=strict} would.
 * Resources of the Prometheus operator, which those schemas do not cover, are held to what this
 * repository promises of them.
 */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("deploy/kubernetes");
    private static final Path ALERT_RULES = Path.of("deploy/prometheus/ml-jobs-alerts.yml");
    private static final Gson GSON = new Gson();

    @Test
    void everyManifestPassesKubernetesSchemasStrictly() throws IOException {
        List<String> checked = new ArrayList<>();
        for (Path file : manifestFiles()) {
            for (JsonObject resource : resources(file)) {
                validate(resource);
                checked.add(file.getFileName() + ":" + resource.get("kind").getAsString());
            }
        }
        assertEquals(List.of("secret.yaml:Secret", "ml-jobs.yaml:Deployment", "ml-jobs.yaml:Service",
                "ml-jobs.yaml:PodDisruptionBudget", "prometheus-rule.yaml:PrometheusRule",
                "service-monitor.yaml:ServiceMonitor"), checked);
    }

    @Test
    void aBrokenCopyOfTheDeploymentFailsTheCheck() {
        JsonObject misspelled = deployment();
        container(misspelled).add("resoures", container(misspelled).get("resources"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> validate(misspelled));
        assertTrue(unknown.getMessage().contains("`resoures`"), unknown.getMessage());

        JsonObject nameless = deployment();
        container(nameless).remove("name");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> validate(nameless));
        assertTrue(missing.getMessage().contains("`name`"), missing.getMessage());
    }

    @Test
    void podsMeetTheRestrictedPodSecurityStandardAndDrainOnShutdown() {
        JsonObject pod = deployment().getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
        assertEquals("RuntimeDefault", pod.getAsJsonObject("securityContext").getAsJsonObject("seccompProfile")
                .get("type").getAsString());
        assertTrue(pod.getAsJsonObject("securityContext").get("runAsNonRoot").getAsBoolean());
        assertFalse(pod.get("automountServiceAccountToken").getAsBoolean());
        JsonObject container = pod.getAsJsonArray("containers").get(0).getAsJsonObject();
        JsonObject security = container.getAsJsonObject("securityContext");
        assertFalse(security.get("allowPrivilegeEscalation").getAsBoolean());
        assertEquals("[\"ALL\"]", security.getAsJsonObject("capabilities").get("drop").toString());
        assertTrue(security.get("readOnlyRootFilesystem").getAsBoolean());
        // Requests and limits both set for memory (a JVM sized to its limit) and CPU.
        JsonObject resources = container.getAsJsonObject("resources");
        for (String bound : List.of("requests", "limits")) {
            assertTrue(resources.getAsJsonObject(bound).has("memory") && resources.getAsJsonObject(bound).has("cpu"),
                    bound);
        }
        // One slow readiness answer must not drop the pod from the Service.
        assertTrue(container.getAsJsonObject("readinessProbe").get("failureThreshold").getAsInt() >= 2);
        // The grace period outlasts the shutdown delay (5 s) and timeout (20 s) of application.properties.
        assertTrue(pod.get("terminationGracePeriodSeconds").getAsInt() > 25);
        assertTrue(pod.has("topologySpreadConstraints"));
    }

    @Test
    void podsAreScrapedOnceAndTheSecretIsNotApplied() throws IOException {
        for (JsonObject resource : resources(MANIFESTS.resolve("ml-jobs.yaml"))) {
            String kind = resource.get("kind").getAsString();
            assertFalse(kind.equals("Secret"), "kubectl apply -f ml-jobs.yaml would ship placeholder credentials");
            if (kind.equals("Service")) {
                JsonObject metadata = resource.getAsJsonObject("metadata");
                assertFalse(metadata.has("annotations") && metadata.getAsJsonObject("annotations")
                        .has("prometheus.io/scrape"), "the pods are already scrape targets");
            }
        }
    }

    @Test
    void prometheusRuleCarriesExactlyTheTestedAlertRules() throws IOException {
        JsonObject rule = resources(MANIFESTS.resolve("prometheus-operator/prometheus-rule.yaml")).get(0);
        JsonElement tested = toJson(new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(ALERT_RULES)));
        assertEquals(tested.getAsJsonObject().get("groups"), rule.getAsJsonObject("spec").get("groups"));
    }

    @Test
    void serviceMonitorSelectsTheServiceByLabelAndPortName() throws IOException {
        JsonObject monitor = resources(MANIFESTS.resolve("prometheus-operator/service-monitor.yaml")).get(0);
        JsonObject service = resources(MANIFESTS.resolve("ml-jobs.yaml")).stream()
                .filter(r -> r.get("kind").getAsString().equals("Service")).findFirst().orElseThrow();
        JsonObject selector = monitor.getAsJsonObject("spec").getAsJsonObject("selector").getAsJsonObject("matchLabels");
        JsonObject labels = service.getAsJsonObject("metadata").getAsJsonObject("labels");
        selector.entrySet().forEach(label -> assertEquals(label.getValue(), labels.get(label.getKey())));
        String port = monitor.getAsJsonObject("spec").getAsJsonArray("endpoints").get(0).getAsJsonObject()
                .get("port").getAsString();
        assertEquals(port, service.getAsJsonObject("spec").getAsJsonArray("ports").get(0).getAsJsonObject()
                .get("name").getAsString());
    }

    /** Throws IllegalArgumentException naming the first field the schema refuses. */
    private static void validate(JsonObject resource) {
        String apiVersion = resource.get("apiVersion").getAsString();
        String kind = resource.get("kind").getAsString();
        try {
            switch (apiVersion + " " + kind) {
                case "apps/v1 Deployment" -> V1Deployment.validateJsonElement(resource);
                case "v1 Service" -> V1Service.validateJsonElement(resource);
                case "v1 Secret" -> V1Secret.validateJsonElement(resource);
                case "policy/v1 PodDisruptionBudget" -> V1PodDisruptionBudget.validateJsonElement(resource);
                case "monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule" ->
                    requireOnly(resource, "apiVersion", "kind", "metadata", "spec");
                default -> throw new IllegalArgumentException("no schema for " + apiVersion + " " + kind);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireOnly(JsonObject resource, String... fields) {
        List<String> allowed = List.of(fields);
        resource.keySet().stream().filter(key -> !allowed.contains(key)).findFirst().ifPresent(key -> {
            throw new IllegalArgumentException("The field `" + key + "` is not defined");
        });
    }

    private static JsonObject deployment() {
        try {
            return resources(MANIFESTS.resolve("ml-jobs.yaml")).stream()
                    .filter(r -> r.get("kind").getAsString().equals("Deployment")).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonObject container(JsonObject deployment) {
        return deployment.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec")
                .getAsJsonArray("containers").get(0).getAsJsonObject();
    }

    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.walk(MANIFESTS)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static List<JsonObject> resources(Path file) throws IOException {
        List<JsonObject> resources = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
            if (document != null) {
                resources.add(toJson(document).getAsJsonObject());
            }
        }
        return resources;
    }

    /** YAML to JSON as kubectl converts it; a map's keys are strings in both. */
    private static JsonElement toJson(Object yaml) {
        return JsonParser.parseString(GSON.toJson(yaml instanceof Map<?, ?> map ? map : yaml));
    }
}
