package io.github.etlrpc.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.etlrpc.api.RoundStore;
import org.junit.jupiter.api.Test;

class InMemoryRoundStoreTest extends RoundStoreContract {

  @Override
  protected RoundStore newStore() {
    return new InMemoryRoundStore();
  }

  @Test
  void isDurable_false() {
    assertThat(store.isDurable()).isFalse();
  }
}
