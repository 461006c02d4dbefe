package io.tieredarchive.rest;

import io.tieredarchive.tier.remote.IncarnationSelection;
import io.tieredarchive.tier.remote.ArchivePartition;
import com.github.benmanes.caffeine.cache.Ticker;
import io.tieredarchive.config.ConfigProviders;
import io.tieredarchive.dr.GroupRestore;
import io.tieredarchive.dr.GroupRestorePlan;
import io.tieredarchive.dr.GroupRestoreSettings;
import io.tieredarchive.segment.SegmentException;
import io.tieredarchive.segment.SegmentMetadata;
import io.tieredarchive.tier.TieringService;
import io.tieredarchive.tier.TieringServices;
import io.tieredarchive.tier.TieringStats;
import io.tieredarchive.tier.read.ArchiveReader;
import io.tieredarchive.tier.read.RestorePathException;
import io.tieredarchive.tier.read.RestoreRoot;
import io.tieredarchive.tier.read.RestoreTarget;
import io.tieredarchive.tier.remote.RemoteSegmentStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.health.ConnectClusterState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code /tiered-archive} endpoints. Responses are JSON; errors are Connect's {@code {"error_code", "message"}}
 * ({@link RestException} lists the statuses). No response holds a connector's configuration or credentials.
 * <ul>
 *   <li>{@code GET /stats}: each tiering service of this worker (per {@code local.dir});</li>
 *   <li>{@code GET /segments/{topic}/{partition}[?connector=&incarnation=&fromOffset=&limit=]}: a page of the
 *       archived segments of one incarnation of the topic (the newest by default);</li>
 *   <li>{@code POST /archive}: asks each tiering service of this worker for a pass (202), which respects its
 *       backoff; requests arriving while one is pending are one request;</li>
 *   <li>{@code POST /restore} ({@link RestoreRequest}): a restore job under the operator's restore root (202 and a
 *       {@code Location}); {@code GET /restore/{id}}: its state, progress, result or error;</li>
 *   <li>{@code POST /groups} ({@link GroupsRequest}): the consumer groups of a replay's snapshots translated into its
 *       target cluster (a dry run), or committed there with {@code "apply": true} (409 naming the groups that have
 *       members there, and then nothing is committed). A quick call: every S3 and Kafka call in it is bounded.</li>
 * </ul>
 * Which archive: {@link ArchiveLocator}. Every S3 call made for a request is bounded by {@link #REQUEST_S3_TIMEOUT}.
 */
@Path("/tiered-archive")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class TieredArchiveResource {

    private static final Logger log = LoggerFactory.getLogger(TieredArchiveResource.class);

    /** The longest one S3 call of a request may take, retries included: the caller gets a 503, not a hang. */
    static final Duration REQUEST_S3_TIMEOUT = Duration.ofSeconds(30);

    private final ArchiveLocator locator;
    private final RequestStores stores;
    private final RestoreRoot restoreRoot;
    private final RestoreJobs jobs;

    /** {@code providers} resolve the placeholders of the connector configs read here (the worker's providers). */
    public TieredArchiveResource(ConnectClusterState cluster, ConfigProviders providers, RestExtensionConfig config) {
        this.locator = new ArchiveLocator(cluster, providers);
        this.stores = new RequestStores(config.storesMax(), config.storesIdle(), REQUEST_S3_TIMEOUT.multipliedBy(4),
                Ticker.systemTicker(), c -> RemoteSegmentStore.forRequests(c, REQUEST_S3_TIMEOUT));
        this.restoreRoot = config.restoreRoot().orElse(null);
        this.jobs = restoreRoot == null ? null : new RestoreJobs(config.restoreThreads(), config.restoreQueueSize(),
                config.restoreJobsRetained(), config.restoreJobsRetention(), System::currentTimeMillis);
        log.info("Tiered Archive REST restores {}", restoreRoot == null ? "are off (no "
                + RestExtensionConfig.RESTORE_ROOT + ")" : "write under " + restoreRoot);
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
    public Response segments(@PathParam("topic") String topicParam, @PathParam("partition") String partitionParam,
                             @QueryParam("connector") String connector, @QueryParam("fromOffset") String fromParam,
                             @QueryParam("limit") String limitParam,
                             @QueryParam("incarnation") String incarnationParam) {
        try {
            String topic = RequestValues.topic(topicParam);
            int partition = RequestValues.partition(partitionParam);
            long from = RequestValues.offset("fromOffset", fromParam, 0);
            int limit = RequestValues.limit(limitParam, SegmentsPage.DEFAULT_LIMIT, SegmentsPage.MAX_LIMIT);
            IncarnationSelection incarnation = RequestValues.incarnation(incarnationParam);
            RemoteSegmentStore store = storeOf(locator.locate(connector));
            ArchivePartition archived = store.catalog().resolve(topic, partition, incarnation);
            SegmentsPage page = SegmentsPage.of(store.view(archived).segments(), from, limit);
            return Response.ok(page.toJson(archived)).build();
        } catch (IllegalArgumentException e) {
            return RestException.error(404, e.getMessage());
        } catch (RestException e) {
            return e.response();
        } catch (SegmentException e) {
            return RestException.storeFailure(e);
        }
    }

    /** Asks for a pass; never runs one here, so neither a request thread nor the backoff is spent on it. */
    @POST
    @Path("/archive")
    public Response archive() {
        List<Map<String, Object>> services = new ArrayList<>();
        TieringServices.running().forEach((dir, service) -> {
            service.wakeUp();
            services.add(statsOf(dir.toString(), service));
        });
        return Response.accepted(Map.of("tiering", services)).build();
    }

    @POST
    @Path("/restore")
    public Response restore(InputStream body, @Context UriInfo uri) {
        try {
            if (restoreRoot == null) {
                throw new RestException(403, "Restore over REST is off on this worker. To turn it on, set "
                        + RestExtensionConfig.RESTORE_ROOT + "=<absolute directory> in the worker's config and "
                        + "restart it: restores are then written only under that directory");
            }
            RestoreRequest request = RestoreRequest.parse(body);
            ArchiveLocator.Archive archive = locator.locate(request.connector());
            RestoreTarget target = target(request);
            RestoreJob job = jobs.submit(request.describe(), target.directory(), j -> run(j, request, archive, target));
            return Response.accepted(job.toJson())
                    .location(uri.getBaseUriBuilder().path("tiered-archive/restore").path(job.id()).build())
                    .build();
        } catch (RestException e) {
            return e.response();
        }
    }

    @GET
    @Path("/restore/{id}")
    public Response restoreJob(@PathParam("id") String id) {
        Optional<RestoreJob> job = jobs == null ? Optional.empty() : jobs.find(id);
        return job.map(j -> Response.ok(j.toJson()).build()).orElseGet(() -> RestException.error(404,
                "No restore job '" + id + "' on this worker: each worker knows the jobs it runs, and forgets "
                        + "finished ones after " + RestExtensionConfig.RESTORE_JOBS_RETENTION_MS));
    }

    @POST
    @Path("/groups")
    public Response groups(InputStream body) {
        try {
            GroupsRequest request = GroupsRequest.parse(body, System.currentTimeMillis());
            Map<String, String> config = locator.connectorConfig(request.connector());
            GroupRestoreSettings settings;
            RemoteSegmentStore store;
            try {
                settings = GroupRestoreSettings.fromReplayConfig(config);
                settings.targetCluster();
                store = stores.get(RemoteSegmentStore.connectionOf(config));
            } catch (ConfigException e) {
                throw RestException.badRequest("Connector '" + request.connector() + "' is not a replay whose "
                        + "groups can be restored: " + e.getMessage());
            }
            try (GroupRestore restore = new GroupRestore(store, settings)) {
                GroupRestorePlan plan = restore.plan(restore.topics(request.topics()), request.group(),
                        request.atMs());
                Map<String, Object> out = new LinkedHashMap<>(plan.toJson());
                if (request.apply()) {
                    GroupRestore.Applied applied = restore.apply(plan);
                    out.put("applied", applied.applied());
                    out.put("notApplied", applied.notExact());
                }
                return Response.ok(out).build();
            } catch (GroupRestore.ActiveGroupsException e) {
                throw new RestException(409, e.getMessage());
            }
        } catch (RestException e) {
            return e.response();
        } catch (IllegalArgumentException e) {
            return RestException.error(400, e.getMessage());
        } catch (SegmentException e) {
            return RestException.storeFailure(e);
        } catch (IllegalStateException | KafkaException e) {
            return RestException.error(503, e.getMessage());
        }
    }

    private RestoreTarget target(RestoreRequest request) throws RestException {
        try {
            return restoreRoot.target(request.directory(), request.topic(), request.partition(),
                    TieringServices.running().keySet());
        } catch (RestorePathException e) {
            throw new RestException(e.conflict() ? 409 : 400, e.getMessage());
        }
    }

    /** A restore job's work, on its own thread: lists the archive, then brings each segment back. */
    private Map<String, Object> run(RestoreJob job, RestoreRequest request, ArchiveLocator.Archive archive,
                                    RestoreTarget target) throws SegmentException {
        boolean own = archive.serviceStore() == null;
        RemoteSegmentStore store = own ? RemoteSegmentStore.forRequests(archive.connection(), REQUEST_S3_TIMEOUT)
                : archive.serviceStore();
        try (ArchiveReader reader = new ArchiveReader(store, null, null, ArchiveReader.Options.DEFAULT)) {
            ArchivePartition archived = store.catalog().resolve(request.topic(), request.partition(),
                    request.incarnation());
            List<SegmentMetadata> chain = reader.restoreChain(archived, request.fromOffset(), request.toOffset());
            job.planned(chain.size(), chain.stream()
                    .mapToLong(m -> m.log().size() + m.offsetIndex().size() + m.timeIndex().size()).sum());
            ArchiveReader.RestoreResult result = reader.restore(chain, target, job::segmentDone);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("segments", result.segments().size());
            out.put("bytes", result.bytes());
            if (!chain.isEmpty()) {
                out.put("firstOffset", chain.get(0).baseOffset());
                out.put("lastOffset", chain.get(chain.size() - 1).lastOffset());
            }
            return out;
        } finally {
            if (own) {
                stores.closeSoon(store); // not on this thread: closing a client takes seconds
            }
        }
    }

    private RemoteSegmentStore storeOf(ArchiveLocator.Archive archive) {
        return archive.serviceStore() != null ? archive.serviceStore() : stores.get(archive.connection());
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
        out.put("strandedSegments", s.strandedSegments());
        return out;
    }

    /** Stops the restore jobs and closes every S3 client of the extension. */
    void close() {
        if (jobs != null) {
            jobs.close();
        }
        stores.close();
        log.debug("Tiered Archive REST resources closed");
    }
}
