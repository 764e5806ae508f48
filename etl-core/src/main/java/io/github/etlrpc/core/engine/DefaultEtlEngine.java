package io.github.etlrpc.core.engine;

import io.github.etlrpc.api.AppendResult;
import io.github.etlrpc.api.Batch;
import io.github.etlrpc.api.CompletionPolicy;
import io.github.etlrpc.api.CompletionPolicy.Decision;
import io.github.etlrpc.api.ErrorKind;
import io.github.etlrpc.api.EtlEngine;
import io.github.etlrpc.api.EtlException;
import io.github.etlrpc.api.RoundInfo;
import io.github.etlrpc.api.RoundListener;
import io.github.etlrpc.api.RoundState;
import io.github.etlrpc.api.RoundStore;
import io.github.etlrpc.api.RowType;
import io.github.etlrpc.api.SourceCatalog;
import io.github.etlrpc.api.StoredBatch;
import io.github.etlrpc.api.SubmitResult;
import io.github.etlrpc.core.LateBatchPolicy;
import io.github.etlrpc.core.RowCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine behind {@link io.github.etlrpc.core.EtlEngines}.
 *
 * <p>Accepting a batch takes three steps. Under the aggregation lock the batch reserves a place
 * in the open round of its key. Without the lock the store commits it. Under the lock again the
 * counts are updated and the completion policy decides. Once it decides a round is complete,
 * new batches of its key go elsewhere, and the round is sealed by whichever batch reserved for
 * it finishes last, so a round never misses a batch that was reserved for it. The lock covers
 * only map and counter updates: no file, store or pipeline I/O runs under it.
 */
public final class DefaultEtlEngine implements EtlEngine {
  private static final Logger log = LoggerFactory.getLogger(DefaultEtlEngine.class);
  private static final int RECENTLY_SEALED_KEYS = 10_000;
  private static final Set<RoundState> PENDING_STATES =
      EnumSet.of(RoundState.FECHADA, RoundState.EXECUTANDO, RoundState.FALHOU);

  private final EngineSettings settings;
  private final RoundStore store;
  private final SourceCatalog catalog;
  private final CompletionPolicy policy;
  private final EngineMetrics metrics;
  private final RoundEvents events = new RoundEvents();
  private final RoundIds ids = new RoundIds();
  private final ScheduledExecutorService scheduler;
  private final PipelineDispatcher dispatcher;
  private final Map<String, CompletableFuture<RoundInfo>> settledFutures =
      new ConcurrentHashMap<>();

  private final ReentrantLock lock = new ReentrantLock();
  /** Round accepting batches, per key. Guarded by {@link #lock}. */
  private final Map<String, OpenRound> openByKey = new HashMap<>();
  /** Rounds the policy closed whose seal is not committed yet, per key. Guarded by lock. */
  private final Map<String, OpenRound> closingByKey = new HashMap<>();
  /** Every round held in memory, open or closing, per id. Guarded by lock. */
  private final Map<String, OpenRound> openById = new HashMap<>();
  /** Keys of recently sealed keyed rounds and their round ids. Guarded by lock. */
  private final Map<String, String> recentlySealedKeys =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > RECENTLY_SEALED_KEYS;
        }
      };
  /** Payload bytes of the rounds in {@link #openById}. Guarded by lock. */
  private long pendingBytes;
  private volatile boolean serving;

  private DefaultEtlEngine(EngineSettings settings) {
    this.settings = settings;
    this.store = settings.store();
    this.catalog = settings.sources();
    this.policy = settings.completionPolicy();
    this.metrics = new EngineMetrics(settings.meterRegistry());
    this.scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread thread = new Thread(task, "etl-round-timer");
      thread.setDaemon(true);
      return thread;
    });
    this.dispatcher = new PipelineDispatcher(settings, metrics, this::onRoundChanged, scheduler);
    metrics.registerGauges(this::openRoundCount, this::pendingBytes);
  }

  /** Builds an engine, recovers the rounds in its store and starts accepting batches. */
  public static EtlEngine start(EngineSettings settings) {
    DefaultEtlEngine engine = new DefaultEtlEngine(settings);
    try {
      engine.recover();
    } catch (RuntimeException e) {
      engine.scheduler.shutdownNow();
      try {
        engine.dispatcher.shutdown(Duration.ZERO);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      settings.store().close();
      settings.workDirectoryLock().close();
      throw e;
    }
    engine.serving = true;
    log.info("Engine started: work directory {}, sources {}, policy {}, store {}",
        settings.workDirectory(), settings.sources(), settings.completionPolicy(),
        settings.store().isDurable() ? "durable " + settings.store() : "in memory (not durable)");
    return engine;
  }

  // ---------------------------------------------------------------------------------------------
  // Accepting batches

  @Override
  public SubmitResult submit(Batch batch) {
    if (!serving) {
      throw new EtlException(ErrorKind.UNAVAILABLE,
          "The engine is not accepting batches because it is shutting down; send to a running"
              + " server");
    }
    String source;
    try {
      source = catalog.resolve(batch.origin());
    } catch (EtlException e) {
      metrics.rejected("unknown", "unknown_origin");
      throw e;
    }
    RowType type = catalog.rowType(source);
    long rows;
    try {
      rows = RowCodec.validate(batch.payloadArray(), batch.payloadOffset(),
          batch.payloadLength(), type, source);
    } catch (EtlException e) {
      metrics.rejected(source, "invalid_rows");
      throw e;
    }
    String key = batch.roundKey();
    try {
      BatchIds.check("Round key (rodada)", key);
      BatchIds.check("Send id (id_envio)", batch.sendId());
    } catch (EtlException e) {
      metrics.rejected(source, "invalid_id");
      throw e;
    }
    if (!batch.sendId().isEmpty()) {
      Optional<AppendResult> earlier = store.findSend(batch.sendId());
      if (earlier.isPresent()) {
        return duplicateResult(batch.sendId(), source, key, rows, earlier.get());
      }
    }
    long nowMs = settings.clock().millis();
    if (!key.isEmpty() && settings.lateBatches() == LateBatchPolicy.REJECT) {
      rejectIfSealedInStore(key, source);
    }
    int length = batch.payloadLength();
    OpenRound round;
    try {
      round = reserve(key, source, length, nowMs);
    } catch (EtlException e) {
      metrics.rejected(source, e.kind().name().toLowerCase(java.util.Locale.ROOT));
      throw e;
    }

    AppendResult appended;
    long commitStart = System.nanoTime();
    try {
      appended = store.append(round.roundId, key, new StoredBatch(source, batch.fileName(),
          batch.sendId(), rows, batch.payloadArray(), batch.payloadOffset(), length), nowMs);
    } catch (RuntimeException e) {
      release(round, length);
      metrics.rejected(source, "store");
      throw e instanceof EtlException ? e : new EtlException(ErrorKind.UNAVAILABLE,
          "Cannot store the " + source + " batch in round " + round.roundId + ": " + e, e);
    }
    metrics.storeCommit(System.nanoTime() - commitStart);
    if (appended.duplicate()) {
      release(round, length);
      return duplicateResult(batch.sendId(), source, key, rows, appended);
    }
    return commit(round, source, rows, length, nowMs);
  }

  private void rejectIfSealedInStore(String key, String source) {
    lock.lock();
    try {
      if (openByKey.containsKey(key)) {
        return;
      }
    } finally {
      lock.unlock();
    }
    Optional<RoundInfo> latest = store.latestForKey(key);
    if (latest.isPresent() && !latest.get().state().isOpen()) {
      metrics.rejected(source, "late_batch");
      throw lateBatch(key, latest.get().roundId(), latest.get().state());
    }
  }

  private static EtlException lateBatch(String key, String roundId, RoundState state) {
    return new EtlException(ErrorKind.FAILED_PRECONDITION,
        "Round key '" + key + "' belongs to round " + roundId + ", which is already " + state
            + "; send under a new key, or configure late batches to open a new round");
  }

  /**
   * Reserves a place for a batch in the open round of its key, opening one if needed. Past the
   * pending-bytes limit a batch is still admitted when it brings its open round a required
   * source that the round lacks, because such a batch may complete the round and free its
   * bytes. Without that exception, incomplete rounds could fill the limit for good.
   */
  private OpenRound reserve(String key, String source, int length, long nowMs) {
    lock.lock();
    try {
      OpenRound existing = openByKey.get(key);
      boolean completesSource = existing != null
          && catalog.requiredSources().contains(source)
          && !existing.batchesBySource.containsKey(source);
      if (pendingBytes + length > settings.maxPendingBytes() && !completesSource) {
        throw new EtlException(ErrorKind.RESOURCE_EXHAUSTED,
            "Open rounds hold " + pendingBytes + " payload bytes and this batch adds " + length
                + ", over the limit of " + settings.maxPendingBytes()
                + " bytes (maxPendingBytes); retry after rounds seal or raise the limit."
                + " Batches that bring an open round a required source it lacks are still"
                + " accepted");
      }
      int queued = dispatcher.queued();
      if (queued >= settings.maxQueuedRuns()) {
        throw new EtlException(ErrorKind.RESOURCE_EXHAUSTED,
            queued + " sealed rounds are waiting for the pipeline, the limit is "
                + settings.maxQueuedRuns() + " (maxQueuedRuns); retry later");
      }
      OpenRound round = existing;
      if (round == null) {
        if (!key.isEmpty() && settings.lateBatches() == LateBatchPolicy.REJECT) {
          OpenRound closing = closingByKey.get(key);
          if (closing != null) {
            throw lateBatch(key, closing.roundId, RoundState.FECHADA);
          }
          String sealedId = recentlySealedKeys.get(key);
          if (sealedId != null) {
            throw lateBatch(key, sealedId, RoundState.FECHADA);
          }
        }
        if (openById.size() >= settings.maxOpenRounds()) {
          throw new EtlException(ErrorKind.RESOURCE_EXHAUSTED,
              openById.size() + " rounds are open, the limit is " + settings.maxOpenRounds()
                  + " (maxOpenRounds); complete open rounds or raise the limit");
        }
        round = new OpenRound(ids.next(nowMs), key, nowMs);
        openByKey.put(key, round);
        openById.put(round.roundId, round);
      }
      round.inFlight++;
      round.reservedBytes += length;
      pendingBytes += length;
      return round;
    } finally {
      lock.unlock();
    }
  }

  /** Returns a reservation whose batch was not stored. */
  private void release(OpenRound round, int length) {
    SealTask task;
    lock.lock();
    try {
      round.inFlight--;
      round.reservedBytes -= length;
      pendingBytes -= length;
      if (round.isEmpty() && round.closingDecision == null) {
        openByKey.remove(round.roundKey, round);
        openById.remove(round.roundId);
        cancelDeadline(round);
      }
      task = finalizeIfDone(round, settings.clock().millis());
    } finally {
      lock.unlock();
    }
    if (task != null) {
      seal(task);
    }
  }

  private SubmitResult commit(OpenRound round, String source, long rows, int length, long nowMs) {
    SealTask task;
    RoundState state;
    String summary;
    boolean firstBatch;
    RoundInfo opened = null;
    lock.lock();
    try {
      round.inFlight--;
      round.reservedBytes -= length;
      firstBatch = round.batchesBySource.isEmpty();
      round.addCommitted(source, rows, length, nowMs);
      if (round.closingDecision == null) {
        RoundInfo snapshot = round.snapshot();
        Decision decision = evaluate(snapshot, nowMs);
        if (decision == Decision.WAIT) {
          scheduleDeadline(round, snapshot);
        } else {
          close(round, decision);
        }
        if (firstBatch) {
          opened = snapshot;
        }
      }
      task = finalizeIfDone(round, nowMs);
      if (round.closingDecision == Decision.SEAL) {
        state = RoundState.FECHADA;
        summary = RoundSummaries.sealed(round.roundId);
      } else if (round.closingDecision == Decision.PARK) {
        state = RoundState.ESTACIONADA;
        summary = RoundSummaries.parked(round.roundId);
      } else {
        state = RoundState.ABERTA;
        summary = RoundSummaries.open(round.roundId, missingSources(round));
      }
    } finally {
      lock.unlock();
    }
    metrics.accepted(source, rows);
    if (firstBatch) {
      metrics.stateCount(RoundState.ABERTA, 1);
      if (opened != null) {
        onRoundChanged(opened);
      }
    }
    log.debug("Accepted {} rows of {} into round {} (key '{}')", rows, source, round.roundId,
        round.roundKey);
    if (task != null) {
      seal(task);
    }
    return new SubmitResult(source, rows, round.roundId, state, false, summary);
  }

  private Decision evaluate(RoundInfo snapshot, long nowMs) {
    try {
      return policy.evaluate(snapshot, catalog, nowMs);
    } catch (RuntimeException e) {
      log.error("Completion policy {} failed on round {}; the round stays open", policy,
          snapshot.roundId(), e);
      return Decision.WAIT;
    }
  }

  private List<String> missingSources(OpenRound round) {
    List<String> missing = new ArrayList<>();
    for (String source : catalog.requiredSources()) {
      if (!round.batchesBySource.containsKey(source)) {
        missing.add(source);
      }
    }
    return missing;
  }

  /**
   * Returns the result for a send whose id is already stored. A batch that differs from the
   * stored one in source, row count or round key is a different batch under a reused id, so it
   * is rejected.
   *
   * <p>NOTE: rows are not compared, so a different batch of the same source, size and key under
   * a reused id is taken for a repeat.
   */
  private SubmitResult duplicateResult(String sendId, String source, String key, long rows,
      AppendResult appended) {
    Optional<RoundInfo> earlierRound = round(appended.roundId());
    String earlierKey = earlierRound.map(RoundInfo::roundKey).orElse(key);
    if (!appended.source().equals(source) || appended.rowCount() != rows
        || !earlierKey.equals(key)) {
      metrics.rejected(source, "send_id_conflict");
      throw new EtlException(ErrorKind.ALREADY_EXISTS,
          "Send id (id_envio) '" + sendId + "' is already stored for a " + appended.source()
              + " batch of " + appended.rowCount() + " rows under round key '" + earlierKey
              + "' (round " + appended.roundId() + "), but this is a " + source + " batch of "
              + rows + " rows under round key '" + key
              + "'; give each different batch its own id_envio");
    }
    RoundState state = earlierRound.map(RoundInfo::state).orElse(RoundState.ABERTA);
    log.debug("Send {} repeated; already stored in round {}", sendId, appended.roundId());
    return new SubmitResult(appended.source(), appended.rowCount(), appended.roundId(), state,
        true, RoundSummaries.duplicate(sendId, appended.roundId()));
  }

  // ---------------------------------------------------------------------------------------------
  // Sealing

  /** A round whose decision is final and whose last reserved batch has finished. */
  private record SealTask(RoundInfo snapshot, Decision decision, List<String> missing) {}

  /** Marks the round closed so new batches of its key open another round. Caller holds lock. */
  private void close(OpenRound round, Decision decision) {
    round.closingDecision = decision;
    openByKey.remove(round.roundKey, round);
    closingByKey.put(round.roundKey, round);
    cancelDeadline(round);
  }

  /** Takes a closed round out of memory once no batch is in flight for it. Caller holds lock. */
  private @Nullable SealTask finalizeIfDone(OpenRound round, long nowMs) {
    if (round.closingDecision == null || round.inFlight > 0 || round.finalized) {
      return null;
    }
    round.finalized = true;
    openById.remove(round.roundId);
    pendingBytes -= round.storedBytes;
    return new SealTask(round.snapshot(), round.closingDecision, missingSources(round));
  }

  private void seal(SealTask task) {
    RoundInfo round = task.snapshot();
    boolean sealing = task.decision() == Decision.SEAL;
    RoundState target = sealing ? RoundState.FECHADA : RoundState.ESTACIONADA;
    String error = sealing ? "" : "expired before completion; missing sources " + task.missing();
    long nowMs = settings.clock().millis();
    boolean changed = false;
    try {
      changed = store.transition(round.roundId(), EnumSet.of(RoundState.ABERTA), target, error,
          nowMs);
      if (!changed) {
        log.warn("Round {} was no longer ABERTA in the store when sealing it; left as it is",
            round.roundId());
      }
    } catch (RuntimeException e) {
      log.error("Cannot commit the seal of round {}; it stays ABERTA in the store and is sealed"
          + " on the next start", round.roundId(), e);
    } finally {
      lock.lock();
      try {
        OpenRound closing = closingByKey.get(round.roundKey());
        if (closing != null && closing.roundId.equals(round.roundId())) {
          closingByKey.remove(round.roundKey());
        }
        if (!round.roundKey().isEmpty()) {
          recentlySealedKeys.put(round.roundKey(), round.roundId());
        }
      } finally {
        lock.unlock();
      }
    }
    if (!changed) {
      return;
    }
    metrics.transition(RoundState.ABERTA, target);
    if (sealing) {
      log.info("Round {} sealed (key '{}'): rows per source {}, batches per source {}",
          round.roundId(), round.roundKey(), round.rowsBySource(), round.batchesBySource());
    } else {
      log.warn("Round {} parked (key '{}'): {}; rows per source {}", round.roundId(),
          round.roundKey(), error, round.rowsBySource());
    }
    onRoundChanged(round.withState(target, error, nowMs));
    if (sealing) {
      dispatcher.dispatch(round.roundId(), RoundState.FECHADA);
    }
  }

  private void scheduleDeadline(OpenRound round, RoundInfo snapshot) {
    long deadline = policy.deadlineMs(snapshot);
    if (deadline == Long.MAX_VALUE) {
      return;
    }
    cancelDeadline(round);
    long delayMs = Math.max(0, deadline - settings.clock().millis());
    try {
      round.deadlineCheck = scheduler.schedule(() -> checkDeadline(round.roundId), delayMs + 1,
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("Deadline of round {} not scheduled because the engine is stopping",
          round.roundId);
    }
  }

  private static void cancelDeadline(OpenRound round) {
    if (round.deadlineCheck != null) {
      round.deadlineCheck.cancel(false);
      round.deadlineCheck = null;
    }
  }

  private void checkDeadline(String roundId) {
    SealTask task = null;
    lock.lock();
    try {
      OpenRound round = openById.get(roundId);
      if (round == null || round.closingDecision != null) {
        return;
      }
      long nowMs = settings.clock().millis();
      RoundInfo snapshot = round.snapshot();
      Decision decision = evaluate(snapshot, nowMs);
      if (decision == Decision.WAIT) {
        scheduleDeadline(round, snapshot);
        return;
      }
      log.info("Round {} reached its deadline; policy decided {}", roundId, decision);
      close(round, decision);
      task = finalizeIfDone(round, nowMs);
    } catch (RuntimeException e) {
      log.error("Deadline check of round {} failed", roundId, e);
    } finally {
      lock.unlock();
    }
    if (task != null) {
      seal(task);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery

  private void recover() {
    long nowMs = settings.clock().millis();
    List<SealTask> tasks = new ArrayList<>();
    List<RoundInfo> open = store.list(EnumSet.of(RoundState.ABERTA));
    lock.lock();
    try {
      for (RoundInfo info : open) {
        OpenRound round = OpenRound.recovered(info);
        OpenRound older = openByKey.put(round.roundKey, round);
        if (older != null) {
          log.warn("Rounds {} and {} are both open under key '{}'; the older one is closed",
              older.roundId, round.roundId, round.roundKey);
          closingByKey.put(older.roundKey, older);
          older.closingDecision = Decision.SEAL;
          SealTask task = finalizeIfDone(older, nowMs);
          if (task != null) {
            tasks.add(task);
          }
        }
        openById.put(round.roundId, round);
        pendingBytes += round.storedBytes;
        metrics.stateCount(RoundState.ABERTA, 1);
      }
      for (OpenRound round : new ArrayList<>(openByKey.values())) {
        RoundInfo snapshot = round.snapshot();
        Decision decision = evaluate(snapshot, nowMs);
        if (decision == Decision.WAIT) {
          scheduleDeadline(round, snapshot);
        } else {
          close(round, decision);
          SealTask task = finalizeIfDone(round, nowMs);
          if (task != null) {
            tasks.add(task);
          }
        }
      }
    } finally {
      lock.unlock();
    }
    List<RoundInfo> pending = store.list(PENDING_STATES);
    for (RoundState state : EnumSet.of(RoundState.CONCLUIDA, RoundState.ESTACIONADA)) {
      metrics.stateCount(state, store.list(EnumSet.of(state)).size());
    }
    log.info("Recovered {} open rounds and {} sealed rounds waiting for the pipeline",
        open.size(), pending.size());
    serving = true;
    for (SealTask task : tasks) {
      seal(task);
    }
    for (RoundInfo round : pending) {
      metrics.stateCount(round.state(), 1);
      if (round.state() == RoundState.EXECUTANDO) {
        log.warn("Round {} was running when the process stopped (attempt {}); running it again"
            + " with the same round id", round.roundId(), round.attempts());
        dispatcher.discountInterruptedAttempt(round.roundId());
      }
      dispatcher.dispatch(round.roundId(), round.state());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Queries, watchers, operator actions

  private void onRoundChanged(RoundInfo round) {
    events.publish(round);
    if (round.state().isSettled()) {
      CompletableFuture<RoundInfo> future = settledFutures.remove(round.roundId());
      if (future != null) {
        future.complete(round);
      }
    }
  }

  @Override
  public CompletableFuture<RoundInfo> settled(String roundId) {
    CompletableFuture<RoundInfo> future =
        settledFutures.computeIfAbsent(roundId, id -> new CompletableFuture<>());
    Optional<RoundInfo> current = round(roundId);
    if (current.isEmpty()) {
      settledFutures.remove(roundId, future);
      future.completeExceptionally(unknownRound(roundId));
    } else if (current.get().state().isSettled()) {
      settledFutures.remove(roundId, future);
      future.complete(current.get());
    }
    return future;
  }

  private static EtlException unknownRound(String roundId) {
    return new EtlException(ErrorKind.NOT_FOUND,
        "Round '" + roundId + "' not found; use a rodada_id returned by EnviarDados");
  }

  @Override
  public Optional<RoundInfo> round(String roundId) {
    lock.lock();
    try {
      OpenRound round = openById.get(roundId);
      if (round != null && round.closingDecision == null) {
        return Optional.of(round.snapshot());
      }
    } finally {
      lock.unlock();
    }
    return store.find(roundId);
  }

  @Override
  public List<RoundInfo> rounds(Set<RoundState> states) {
    return store.list(states);
  }

  @Override
  public AutoCloseable watch(String roundId, RoundListener listener) {
    if (!roundId.isEmpty() && round(roundId).isEmpty()) {
      throw unknownRound(roundId);
    }
    return events.subscribe(roundId, listener, () -> {
      if (!roundId.isEmpty()) {
        return round(roundId).map(List::of).orElse(List.of());
      }
      List<RoundInfo> current = new ArrayList<>();
      lock.lock();
      try {
        for (OpenRound round : openById.values()) {
          if (round.closingDecision == null && !round.batchesBySource.isEmpty()) {
            current.add(round.snapshot());
          }
        }
      } finally {
        lock.unlock();
      }
      current.addAll(store.list(EnumSet.of(RoundState.FECHADA, RoundState.EXECUTANDO,
          RoundState.FALHOU, RoundState.ESTACIONADA)));
      return current;
    });
  }

  @Override
  public RoundInfo rerun(String roundId) {
    RoundInfo round = round(roundId).orElseThrow(() -> unknownRound(roundId));
    if (round.state() != RoundState.ESTACIONADA) {
      throw new EtlException(ErrorKind.FAILED_PRECONDITION,
          "Round " + roundId + " is " + round.state() + "; only ESTACIONADA rounds can be re-run");
    }
    long nowMs = settings.clock().millis();
    if (!store.transition(roundId, EnumSet.of(RoundState.ESTACIONADA), RoundState.FECHADA, "",
        nowMs)) {
      throw new EtlException(ErrorKind.FAILED_PRECONDITION,
          "Round " + roundId + " changed state while being re-run; check it and try again");
    }
    metrics.transition(RoundState.ESTACIONADA, RoundState.FECHADA);
    dispatcher.resetAttempts(roundId, round.attempts());
    RoundInfo sealed = round.withState(RoundState.FECHADA, "", nowMs);
    log.info("Round {} re-run by request after {} attempts", roundId, round.attempts());
    onRoundChanged(sealed);
    dispatcher.dispatch(roundId, RoundState.FECHADA);
    return sealed;
  }

  @Override
  public SourceCatalog sources() {
    return catalog;
  }

  @Override
  public boolean isServing() {
    return serving && store.isAvailable();
  }

  private int openRoundCount() {
    lock.lock();
    try {
      return openById.size();
    } finally {
      lock.unlock();
    }
  }

  private long pendingBytes() {
    lock.lock();
    try {
      return pendingBytes;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shutdown

  @Override
  public boolean shutdown(Duration timeout) throws InterruptedException {
    if (!serving && scheduler.isShutdown()) {
      return true;
    }
    serving = false;
    log.info("Engine stopping: waiting up to {} ms for pipeline runs", timeout.toMillis());
    scheduler.shutdownNow();
    boolean finished;
    try {
      finished = dispatcher.shutdown(timeout);
    } finally {
      try {
        store.close();
      } finally {
        settings.workDirectoryLock().close();
      }
    }
    log.info("Engine stopped; {}", finished
        ? "every pipeline run finished"
        : "unfinished runs stay EXECUTANDO and run again on the next start");
    return finished;
  }

  @Override
  public void close() {
    try {
      shutdown(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("Interrupted while closing the engine; unfinished runs repeat on the next start");
    }
  }
}
