package dev.trainops.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ToolException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/money.md "Cost rules" 1-5, one test (or more) named after each. */
class CostRulesTest {
    static final Currency USD = Currency.getInstance("USD");
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static PriceList prices(String version, Instant from, String h100, ZoneId zone) {
        return new PriceList(version, from, USD, Map.of("H100", new BigDecimal(h100), "A100-80GB", new BigDecimal("3.431250")),
                new BigDecimal("0.031611"), new BigDecimal("0.004237"), TariffCalendar.defaults(zone),
                new BigDecimal("0.70"), new BigDecimal("0.05"));
    }

    static UsageSegment gpus(String start, String end, String gpus, boolean spot) {
        return new UsageSegment("job-1", Instant.parse(start), Instant.parse(end), "H100", new BigDecimal(gpus),
                BigDecimal.ZERO, BigDecimal.ZERO, spot);
    }

    final PriceBook utc = new PriceBook(List.of(prices("v1", Instant.parse("2026-01-01T00:00:00Z"), "6.880000", ZoneId.of("UTC"))));

    @Test
    void costRule1_moneyIsNeverBinaryFloatingPointInTheCostPackage() throws IOException {
        Pattern floating = Pattern.compile("\\b(double|float|Double|Float)\\b");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/dev/trainops/cost"))) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readAllLines(p).stream().map(l -> l.replaceAll("//.*|\"[^\"]*\"", ""))
                            .anyMatch(l -> floating.matcher(l).find());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
            assertThat(offenders).isEmpty();
        }
    }

    @Test
    void costRule1_amountsHaveSixFractionalDigitsOnTheWireAndSumExactly() {
        Money a = Money.of("0.1", "USD");
        Money b = Money.of("0.2", "USD");
        assertThat(a.plus(b)).isEqualTo(Money.of("0.3", "USD"));
        assertThat(a.plus(b).toWire()).isEqualTo("0.300000");
        // a tiny run costs a fraction of a cent, and that is still exact
        Money oneSecond = utc.cost(gpus("2026-03-02T12:00:00Z", "2026-03-02T12:00:01Z", "1", false));
        assertThat(oneSecond.toWire()).isEqualTo("0.001911");
    }

    @Test
    void costRule1_anUnknownCurrencyIsRefusedWithTheFix() {
        assertThatThrownBy(() -> Money.currency("DOLLARS")).isInstanceOf(ToolException.class)
                .hasMessage("Unknown currency 'DOLLARS'.");
    }

    @Test
    void costRule2_aJobRunning2130To2230IsBilledHalfAtPeakAndHalfOffPeak() {
        List<PricedSlice> slices = utc.price(gpus("2026-03-02T21:30:00Z", "2026-03-02T22:30:00Z", "1", false));

        assertThat(slices).extracting(PricedSlice::rateClass).containsExactly(RateClass.PEAK, RateClass.OFF_PEAK);
        assertThat(slices).extracting(PricedSlice::seconds).containsExactly(1800L, 1800L);
        assertThat(slices.get(0).cost()).isEqualTo(Money.of("3.44", "USD"));
        assertThat(slices.get(1).cost()).isEqualTo(Money.of("1.72", "USD"));
    }

    @Test
    void costRule2_theMorningBoundaryAt0600WorksTheSameWay() {
        List<PricedSlice> slices = utc.price(gpus("2026-03-03T05:45:00Z", "2026-03-03T06:15:00Z", "1", false));
        assertThat(slices).extracting(PricedSlice::rateClass).containsExactly(RateClass.OFF_PEAK, RateClass.PEAK);
        assertThat(slices).extracting(PricedSlice::seconds).containsExactly(900L, 900L);
    }

    @Test
    void costRule2_splitsToTheSecond() {
        List<PricedSlice> slices = utc.price(gpus("2026-03-02T21:59:59Z", "2026-03-02T22:00:02Z", "1", false));
        assertThat(slices).extracting(PricedSlice::seconds).containsExactly(1L, 2L);
    }

    @Test
    void costRule2_aDaylightSavingDayHasItsRealLength() {
        // Berlin springs forward on 2026-03-29 (02:00 -> 03:00): that local day has 23 hours.
        TariffCalendar berlin = TariffCalendar.defaults(BERLIN);
        Instant start = Instant.parse("2026-03-28T23:00:00Z"); // 00:00 local, the 29th
        Instant end = Instant.parse("2026-03-29T22:00:00Z");   // 00:00 local, the 30th
        List<TariffCalendar.Slice> slices = berlin.split(start, end);

        long offPeak = slices.stream().filter(s -> s.rateClass() == RateClass.OFF_PEAK).mapToLong(TariffCalendar.Slice::seconds).sum();
        long peak = slices.stream().filter(s -> s.rateClass() == RateClass.PEAK).mapToLong(TariffCalendar.Slice::seconds).sum();
        assertThat(offPeak + peak).isEqualTo(23 * 3600);
        assertThat(offPeak).isEqualTo(5 * 3600 + 2 * 3600); // 00:00-06:00 lost an hour; 22:00-24:00
        assertThat(peak).isEqualTo(16 * 3600);
        assertThat(slices.get(1).start()).isEqualTo(Instant.parse("2026-03-29T04:00:00Z")); // 06:00 CEST
    }

    @Test
    void costRule2_theAutumnDaylightSavingDayHas25Hours() {
        TariffCalendar berlin = TariffCalendar.defaults(BERLIN);
        List<TariffCalendar.Slice> slices = berlin.split(Instant.parse("2026-10-24T22:00:00Z"), Instant.parse("2026-10-25T23:00:00Z"));
        long offPeak = slices.stream().filter(s -> s.rateClass() == RateClass.OFF_PEAK).mapToLong(TariffCalendar.Slice::seconds).sum();
        assertThat(slices.stream().mapToLong(TariffCalendar.Slice::seconds).sum()).isEqualTo(25 * 3600);
        assertThat(offPeak).isEqualTo(7 * 3600 + 2 * 3600);
    }

    @Test
    void costRule2_weekendsCanBeOffPeak() {
        TariffCalendar weekends = new TariffCalendar(ZoneId.of("UTC"),
                List.of(new TariffCalendar.Window(LocalTime.of(22, 0), LocalTime.of(6, 0))), new BigDecimal("0.5"), true);
        // Saturday 2026-11-28 noon to Monday 2026-11-30 08:00
        List<TariffCalendar.Slice> slices = weekends.split(Instant.parse("2026-11-28T12:00:00Z"), Instant.parse("2026-11-30T08:00:00Z"));
        assertThat(slices).extracting(TariffCalendar.Slice::rateClass).containsExactly(RateClass.OFF_PEAK, RateClass.PEAK);
        assertThat(slices.get(1).start()).isEqualTo(Instant.parse("2026-11-30T06:00:00Z"));
    }

    @Test
    void costRule3_usageIsPricedAtTheRateInForceWhenItHappened() {
        PriceList old = prices("v1", Instant.parse("2026-01-01T00:00:00Z"), "6.880000", ZoneId.of("UTC"));
        PriceBook before = new PriceBook(List.of(old));
        UsageSegment lastWeek = gpus("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1", false);
        Money billed = before.cost(lastWeek);

        PriceBook after = new PriceBook(List.of(old, prices("v2", Instant.parse("2026-03-05T00:00:00Z"), "9.000000", ZoneId.of("UTC"))));
        assertThat(after.cost(lastWeek)).isEqualTo(billed).isEqualTo(Money.of("6.88", "USD"));

        // a segment across the change is cut there: each part at its own version
        List<PricedSlice> across = after.price(gpus("2026-03-04T23:00:00Z", "2026-03-05T01:00:00Z", "1", false));
        assertThat(across).extracting(PricedSlice::priceVersion).containsExactly("v1", "v2");
        assertThat(across.get(1).cost()).isEqualTo(Money.of("4.5", "USD")); // off-peak hour at the new 9.00
    }

    @Test
    void costRule4_spotAndOnDemandSegmentsArePricedSeparately() {
        List<PricedSlice> spot = utc.price(gpus("2026-03-02T21:30:00Z", "2026-03-02T22:30:00Z", "1", true));
        assertThat(spot).singleElement().satisfies(s -> {
            assertThat(s.rateClass()).isEqualTo(RateClass.SPOT);
            assertThat(s.cost()).isEqualTo(Money.of("2.064", "USD")); // 6.88 x 0.30
        });
    }

    @Test
    void costRule4_workLostSinceTheLastCheckpointIsWastedCost() {
        UsageSegment interrupted = gpus("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1", true);
        Money wasted = SpotModel.wastedAtInterruption(utc, interrupted, Instant.parse("2026-03-02T10:45:00Z"));
        assertThat(wasted).isEqualTo(Money.of("0.516", "USD")); // 15 min at 2.064/h
    }

    @Test
    void costRule4_expectedSpotCostCountsInterruptionsAndShowsTheWasteApart() {
        PriceList p = utc.at(Instant.parse("2026-03-02T10:00:00Z"));
        SpotModel.Estimate e = SpotModel.estimate(Duration.ofHours(10), new BigDecimal("6.88"), p, Duration.ofMinutes(30), Duration.ofMinutes(6));
        // loss per interruption 15 + 6 min = 0.35 h; 0.05/h x 0.35 h = 1.75% of wall time lost
        assertThat(e.feasible()).isTrue();
        assertThat(e.expectedWall()).isBetween(Duration.ofMinutes(610), Duration.ofMinutes(611));
        assertThat(e.onDemandCost()).isEqualTo(Money.of("68.8", "USD"));
        assertThat(e.expectedCost().amount()).isBetween(new BigDecimal("21.00"), new BigDecimal("21.02"));
        assertThat(e.wastedCost().amount()).isBetween(new BigDecimal("0.36"), new BigDecimal("0.37"));
        assertThat(e.cheaperThanOnDemand()).isTrue();

        SpotModel.Estimate hopeless = SpotModel.estimate(Duration.ofHours(10), new BigDecimal("6.88"), p, Duration.ofHours(50), Duration.ZERO);
        assertThat(hopeless.feasible()).isFalse();
        assertThat(hopeless.reason()).contains("checkpoint more often");
    }

    @Test
    void costRule5_aFractionalOrMigGpuPaysItsFraction() {
        BigDecimal oneSlice = dev.trainops.gpu.GpuShares.share("nvidia.com/mig-1g.10gb", java.util.Map.of()); // 1g.10gb of an A100 80GB
        UsageSegment slice = new UsageSegment("job-2", Instant.parse("2026-03-02T10:00:00Z"), Instant.parse("2026-03-02T17:00:00Z"),
                "A100-80GB", oneSlice, BigDecimal.ZERO, BigDecimal.ZERO, false);
        // 7 hours of 1/7 of a GPU = one GPU-hour
        assertThat(utc.cost(slice)).isEqualTo(Money.of("3.43125", "USD"));
        UsageSegment half = gpus("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "0.5", false);
        assertThat(utc.cost(half)).isEqualTo(Money.of("3.44", "USD"));
    }

    @Test
    void theShippedPricingConfigLoadsWithEveryRequiredGpuType() throws IOException {
        PriceBook book = PricingConfig.load(Path.of("../config/pricing.yaml"));
        PriceList p = book.current(Instant.parse("2026-11-28T12:00:00Z"));
        assertThat(p.gpuHour()).containsKeys("H100", "H200", "A100-40GB", "A100-80GB", "L4", "T4", "A10G");
        assertThat(p.gpuRate("H100")).isEqualByComparingTo("6.88");
        assertThat(p.spotDiscount()).isEqualByComparingTo("0.70");
        assertThat(p.spotInterruptionsPerHour()).isEqualByComparingTo("0.05");
        assertThat(p.calendar().offPeakMultiplier()).isEqualByComparingTo("0.5");
    }

    @Test
    void aPriceWrittenAsAYamlFloatIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path f = dir.resolve("pricing.yaml");
        Files.writeString(f, Files.readString(Path.of("../config/pricing.yaml")).replace("H100: \"6.880000\"", "H100: 6.88"));
        assertThatThrownBy(() -> PricingConfig.load(f)).hasMessageContaining("'gpu_hour.H100' must be a quoted decimal string");
    }
}
