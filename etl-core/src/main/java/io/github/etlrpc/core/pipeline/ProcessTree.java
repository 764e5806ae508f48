package io.github.etlrpc.core.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Kills a process with its descendants and checks whether processes still run. */
final class ProcessTree {
  /** Whether {@code /proc/<pid>/stat} exists on this system, as on Linux. */
  private static final boolean HAS_PROC_STAT = Files.isReadable(Path.of("/proc/self/stat"));

  /** Maximum pause between two checks in {@link #awaitGone}. */
  private static final long MAX_POLL_MILLIS = 100;

  private ProcessTree() {}

  /**
   * Kills {@code root} and then its descendants with SIGKILL on Unix, and returns every handle
   * it killed, root first. The root goes first because a shell killed after its children would
   * see them die and run its next command before its own SIGKILL arrived. The descendants are
   * listed before that, since a child whose parent dies is re-parented and no longer listed, and
   * a second pass catches children they forked meanwhile.
   *
   * <p>NOTE: a descendant that detached itself before the first listing, for example by a
   * double fork, is no longer a descendant and keeps running.
   */
  static List<ProcessHandle> killForcibly(ProcessHandle root) {
    List<ProcessHandle> descendants = root.descendants().toList();
    root.destroyForcibly();
    Set<ProcessHandle> killed = new LinkedHashSet<>();
    killed.add(root);
    for (int pass = 0; pass < 2 && !descendants.isEmpty(); pass++) {
      List<ProcessHandle> forked = new ArrayList<>();
      for (ProcessHandle process : descendants) {
        process.destroyForcibly();
        killed.add(process);
        process.descendants().filter(child -> !killed.contains(child)).forEach(forked::add);
      }
      descendants = forked;
    }
    return new ArrayList<>(killed);
  }

  /**
   * Waits up to {@code timeout} until none of the processes runs, polling because processes that
   * are not children of this JVM cannot be waited for.
   *
   * @return true if none runs any more
   */
  static boolean awaitGone(List<ProcessHandle> processes, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pauseMillis = 5;
    while (processes.stream().anyMatch(ProcessTree::isRunning)) {
      long remainingMillis = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
      if (remainingMillis <= 0) {
        return false;
      }
      Thread.sleep(Math.min(pauseMillis, remainingMillis));
      pauseMillis = Math.min(pauseMillis * 2, MAX_POLL_MILLIS);
    }
    return true;
  }

  /**
   * Returns whether the process runs. A zombie, which has exited but was not yet reaped by its
   * parent, does not run, although {@link ProcessHandle#isAlive()} returns true for it on Linux
   * with JDK 17. An orphan re-parented to an init process that never reaps stays a zombie.
   */
  static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    if (!HAS_PROC_STAT) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // The state letter follows the command name, which is in parentheses and may contain any
      // character, so the search starts at the last closing parenthesis.
      int state = stat.lastIndexOf(')') + 2;
      return state >= 2 && state < stat.length()
          && stat.charAt(state) != 'Z' && stat.charAt(state) != 'X';
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      return process.isAlive();
    }
  }
}
