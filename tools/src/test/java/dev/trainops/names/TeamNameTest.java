package dev.trainops.names;

import static dev.trainops.names.InvalidArgument.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TeamNameTest {
    @Test
    void aTeamNameIsAKubernetesNamespaceName() {
        assertThat(TeamName.isValid("team-a")).isTrue();
        assertThat(TeamName.isValid("a")).isTrue();
        assertThat(TeamName.isValid("a".repeat(63))).isTrue();
        assertThat(TeamName.isValid("a".repeat(64))).isFalse();
        assertThat(TeamName.isValid("Team-A")).isFalse();
        assertThat(TeamName.isValid("-team")).isFalse();
        assertThat(TeamName.isValid("team_a")).isFalse();
        assertThat(TeamName.isValid(null)).isFalse();
    }

    @Test
    void anInvalidTeamIsAnInvalidArgumentNamingTheArgumentAndTheRule() {
        assertRefused(() -> TeamName.parse("team", "Team A"), "team",
                "Argument 'team' must be a Kubernetes namespace name: lowercase letters, digits and -, "
                    + "at most 63 (got 'Team A').",
                "Use the team's namespace, e.g. team=team-a.");
    }

    @Test
    void aMissingTeamIsEmptyWhenOptional() {
        assertThat(TeamName.parseOptional("team", null)).isEmpty();
        assertThat(TeamName.parseOptional("team", "  ")).isEmpty();
        assertThat(TeamName.parseOptional("team", " team-a ")).contains(new TeamName("team-a"));
    }

    @Test
    void theConstructorRefusesWhatParseWouldRefuse() {
        assertThatThrownBy(() -> new TeamName("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a team name is a Kubernetes namespace name, not ");
    }
}
