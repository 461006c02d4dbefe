package io.tieredarchive.rest;

import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.ArchivePartition;
import io.tieredarchive.config.ConfigProviders;
import io.tieredarchive.config.S3Connection;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringStats;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code /tiered-archive} endpoints. Responses are JSON; errors are {@code {"error_code": n, "message": ...}}
 * like Connect's own (400 for a bad request, 404 for an unknown connector, 503 when the store fails). No
 * response ever holds a connector's configuration or credentials.
 * <ul>
 *   <li>{@code GET /tiered-archive/stats}: each tiering service of this worker (per {@code local.dir});</li>
 *   <li>{@code GET /tiered-archive/segments/{topic}/{partition}[?connector=NAME]}: the archived segments;</li>
 *   <li>{@code POST /tiered-archive/archive}: a tiering pass now on each service of this worker;</li>
 *   <li>{@code POST /tiered-archive/restore} with {@code {"topic", "partition", "fromOffset"?, "toOffset"?,
 *       "directory", "connector"?}}: segments back to a directory of this worker, as Kafka segment files.</li>
 * </ul>
 * Which archive: the connector named by {@code connector} (its {@code s3.*} keys); without it, the only tiering
 * service of this worker, else the only connector whose config has {@code s3.bucket}.
 */
@Path("/tiered-archive")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class TieredArchiveResource {

    private static final Logger log = LoggerFactory.getLogger(TieredArchiveResource.class);

    /** The longest one S3 call of a request may take, retries included: the caller gets a 503, not a hang. */
    static final java.time.Duration REQUEST_S3_TIMEOUT = java.time.Duration.ofSeconds(30);

    private final ConnectClusterState cluster;
    private final ConfigProviders providers;
    private final Map<S3Connection, RemoteSegmentStore> stores = new HashMap<>();

    /** {@code providers} resolve the placeholders of the connector configs read here (the worker's providers). */
    public TieredArchiveResource(ConnectClusterState cluster, ConfigProviders providers) {
        this.cluster = cluster;
        this.providers = providers;
    }

    @GET
    @Path("/stats")
    public Response stats() {
        List<Map<String, Object>> services = new ArrayList<>();
        TieringServices.running().forEach((dir, service) -> services.add(statsOf(dir.toString(), service)));
        return Response.ok(Map.of("tiering", services)).build();
    }

    @GET
    @Path("/segments/{topic}/{partition}")
    public Response segments(@PathParam("topic") String topic, @PathParam("partition") int partition,
                             @QueryParam("connector") String connector,
                             @QueryParam("incarnation") String incarnation) {
        try {
            RemoteSegmentStore store = store(connector);
            ArchivePartition archived = store.catalog().resolve(topic, partition, selection(incarnation));
            List<Map<String, Object>> segments = new ArrayList<>();
            for (SegmentMetadata m : store.view(archived).segments()) {
                segments.add(segment(m));
            }
            return Response.ok(Map.of("topic", topic, "partition", partition, "incarnation",
                    archived.incarnation().id(), "segments", segments)).build();
        } catch (RequestException e) {
            return e.response();
        } catch (SegmentException e) {
            return error(503, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
    }

    private static IncarnationSelection selection(Object incarnation) throws RequestException {
        if (incarnation == null) {
            return IncarnationSelection.LATEST_ONE;
        }
        String problem = IncarnationSelection.problem(incarnation.toString());
        if (problem != null || IncarnationSelection.ALL.equals(incarnation)) {
            throw new RequestException(400, "'incarnation': " + (problem != null ? problem : "name one"));
        }
        return new IncarnationSelection(incarnation.toString());
    }

    @POST
    @Path("/archive")
    public Response archive() {
        List<Map<String, Object>> services = new ArrayList<>();
        TieringServices.running().forEach((dir, service) -> {
            service.archiveNow();
            services.add(statsOf(dir.toString(), service));
        });
        return Response.ok(Map.of("tiering", services)).build();
    }

    @POST
    @Path("/restore")
    public Response restore(Map<String, Object> body) {
        try {
            String topic = required(body, "topic");
            int partition = (int) number(body, "partition", -1);
            String directory = required(body, "directory");
            if (partition < 0) {
                throw new RequestException(400, "'partition' is required and must not be negative");
            }
            RemoteSegmentStore store = store((String) body.get("connector"));
            try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
                ArchivePartition archived = store.catalog().resolve(topic, partition,
                        selection(body.get("incarnation")));
                ArchiveReader.RestoreResult result = reader.restore(archived, number(body, "fromOffset", 0),
                        number(body, "toOffset", -1), java.nio.file.Path.of(directory), bytes -> { });
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("directory", result.directory().toString());
                out.put("segments", result.segments().size());
                out.put("bytes", result.bytes());
                if (!result.segments().isEmpty()) {
                    out.put("firstOffset", result.segments().get(0).baseOffset());
                    out.put("lastOffset", result.segments().get(result.segments().size() - 1).lastOffset());
                }
                return Response.ok(out).build();
            }
        } catch (RequestException e) {
            return e.response();
        } catch (SegmentException e) {
            return error(503, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
    }

    /** The store of the archive a request is about. */
    private synchronized RemoteSegmentStore store(String connector) throws RequestException {
        if (connector == null || connector.isBlank()) {
            Map<java.nio.file.Path, TieringService> running = TieringServices.running();
            if (running.size() == 1) {
                return running.values().iterator().next().store();
            }
            List<String> candidates = cluster.connectors().stream()
                    .filter(c -> configOf(c).containsKey("s3.bucket")).sorted().toList();
            if (candidates.size() != 1) {
                throw new RequestException(400, "Name the connector whose archive to read with ?connector= (or "
                        + "\"connector\"); candidates: " + candidates);
            }
            connector = candidates.get(0);
        }
        if (!cluster.connectors().contains(connector)) {
            throw new RequestException(404, "Unknown connector '" + connector + "'");
        }
        Map<String, String> config;
        try {
            config = cluster.connectorConfig(connector);
        } catch (RuntimeException e) {
            throw new RequestException(503, "Connect cannot give the config of connector '" + connector
                    + "' now (" + e.getMessage() + "); try again");
        }
        if (config == null || config.isEmpty()) {
            throw new RequestException(503, "The config of connector '" + connector + "' is not available on "
                    + "this worker yet; try again");
        }
        S3Connection connection;
        try {
            connection = RemoteSegmentStore.connectionOf(providers.resolve(config));
        } catch (ConfigException e) {
            throw new RequestException(400, "Connector '" + connector + "' has no usable S3 connection: "
                    + e.getMessage());
        }
        return stores.computeIfAbsent(connection, c -> RemoteSegmentStore.forRequests(c, REQUEST_S3_TIMEOUT));
    }

    /** The config of {@code connector}, placeholders resolved; empty when Connect cannot give it now. */
    private Map<String, String> configOf(String connector) {
        try {
            Map<String, String> config = cluster.connectorConfig(connector);
            return config == null ? Map.of() : providers.resolve(config);
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    private static Map<String, Object> statsOf(String dir, TieringService service) {
        TieringStats s = service.stats();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("localDir", dir);
        out.put("localSegments", s.localSegments());
        out.put("localBytes", s.localBytes());
        out.put("pendingSegments", s.pendingSegments());
        out.put("pendingBytes", s.pendingBytes());
        out.put("uploadedSegments", s.uploadedSegments());
        out.put("uploadedBytes", s.uploadedBytes());
        out.put("deletedSegments", s.deletedSegments());
        out.put("deletedBytes", s.deletedBytes());
        out.put("failedAttempts", s.failedAttempts());
        out.put("lastError", s.lastError());
        out.put("lastPassAtMs", s.lastPassAtMs());
        return out;
    }

    private static Map<String, Object> segment(SegmentMetadata m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("baseOffset", m.baseOffset());
        out.put("lastOffset", m.lastOffset());
        out.put("recordCount", m.recordCount());
        out.put("firstTimestamp", m.firstTimestamp());
        out.put("maxTimestamp", m.maxTimestamp());
        out.put("codec", m.codec());
        out.put("writerId", m.writerId());
        out.put("sealedAtMs", m.sealedAtMs());
        out.put("bytes", m.log().size() + m.offsetIndex().size() + m.timeIndex().size());
        return out;
    }

    private static String required(Map<String, Object> body, String key) throws RequestException {
        Object v = body == null ? null : body.get(key);
        if (!(v instanceof String s) || s.isBlank()) {
            throw new RequestException(400, "'" + key + "' is required");
        }
        return s;
    }

    private static long number(Map<String, Object> body, String key, long absent) throws RequestException {
        Object v = body == null ? null : body.get(key);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Number n)) {
            throw new RequestException(400, "'" + key + "' must be a number, got " + v);
        }
        return n.longValue();
    }

    private static Response error(int status, String message) {
        return Response.status(status).entity(Map.of("error_code", status, "message", String.valueOf(message)))
                .build();
    }

    /** A request that cannot be served, with the response that says why. */
    private static final class RequestException extends Exception {
        private final int status;

        RequestException(int status, String message) {
            super(message);
            this.status = status;
        }

        Response response() {
            return error(status, getMessage());
        }
    }

    void close() {
        synchronized (this) {
            stores.values().forEach(RemoteSegmentStore::close);
            stores.clear();
        }
        log.debug("Tiered Archive REST resources closed");
    }
}
