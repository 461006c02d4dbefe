package io.tieredarchive.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommitModeTest {

    @Test
    void configValuesAreTheLowerCaseNamesTheDefaultFirst() {
        assertEquals(List.of("remote", "local"), List.of(CommitMode.configValues()));
        assertEquals(CommitMode.REMOTE, LocalTierConfig.COMMIT_MODE_DEFAULT);
    }

    @Test
    void ofReadsAnyCaseAndTrims() {
        assertEquals(CommitMode.LOCAL, CommitMode.of(" Local "));
        assertEquals(CommitMode.REMOTE, CommitMode.of("remote"));
        assertThrows(IllegalArgumentException.class, () -> CommitMode.of("never"));
    }
}
