package dev.trainops.budget;

import dev.trainops.cost.Money;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads {@code config/budgets.yaml}: team and experiment budgets, amounts as quoted decimals. */
final class BudgetsConfig {
    private BudgetsConfig() {
    }

    static List<Budget> load(Path file) throws IOException {
        JsonNode root = YAMLMapper.builder().build().readTree(Files.readString(file));
        String currency = root.path("currency").asString("");
        List<Budget> budgets = new ArrayList<>();
        for (String section : List.of("teams", "experiments")) {
            JsonNode node = root.path(section);
            for (var e : node.properties()) {
                JsonNode b = e.getValue();
                JsonNode limit = b.get("limit");
                if (limit == null || !limit.isString()) {
                    throw new IllegalArgumentException(file + ": " + section + "." + e.getKey() + ".limit must be a quoted decimal such as \"500.00\"");
                }
                Budget.Period period = Budget.Period.valueOf(b.path("period").asString("monthly").toUpperCase(Locale.ROOT));
                budgets.add(new Budget(e.getKey(), section.equals("teams") ? Budget.Kind.TEAM : Budget.Kind.EXPERIMENT,
                        new Money(new BigDecimal(limit.asString()), Money.currency(currency)), period));
            }
        }
        return budgets;
    }
}
