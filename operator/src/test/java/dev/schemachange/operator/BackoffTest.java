package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesUpToTheCapPerChangeAndStartsOverAfterSuccess() {
        Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(30));

        assertThat(backoff.next("a")).hasSeconds(5);
        assertThat(backoff.next("a")).hasSeconds(10);
        assertThat(backoff.next("b")).as("each change has its own").hasSeconds(5);
        assertThat(backoff.next("a")).hasSeconds(20);
        assertThat(backoff.next("a")).hasSeconds(30);
        assertThat(backoff.next("a")).hasSeconds(30);
        backoff.reset("a");
        assertThat(backoff.next("a")).hasSeconds(5);
    }
}
