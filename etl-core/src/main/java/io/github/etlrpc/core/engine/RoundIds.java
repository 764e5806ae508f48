package io.github.etlrpc.core.engine;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates round ids such as {@code 20261204T154530123Z-9f3a61c2-17}: UTC time of creation, a
 * random tag of this engine instance and a counter. The tag keeps ids of different processes or
 * nodes apart and the counter keeps ids of one instance apart, so ids never repeat across
 * restarts unless the random tags of two instances collide.
 */
final class RoundIds {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private final String instanceTag;
  private final AtomicLong counter = new AtomicLong();

  RoundIds() {
    this.instanceTag = String.format("%08x", new SecureRandom().nextInt());
  }

  String next(long nowMs) {
    return FORMAT.format(Instant.ofEpochMilli(nowMs)) + "-" + instanceTag + "-"
        + counter.incrementAndGet();
  }
}
