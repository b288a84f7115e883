package dev.trainops.catalog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The prompts in {@code prompts/}: markdown with YAML front matter ({@code name}, {@code title},
 * {@code description}, {@code arguments}); the body is a template where {@code {{arg}}} is the
 * argument and {@code {{#arg}}...{{/arg}}} is kept only when the argument is given. A file with
 * {@code kind: system} is a system prompt (the agent's), not an MCP prompt.
 */
public final class PromptLibrary {
    private static final Pattern FRONT_MATTER = Pattern.compile("\\A---\\R(.*?)\\R---\\R(.*)\\z", Pattern.DOTALL);
    private static final Pattern SECTION = Pattern.compile("\\{\\{#([a-z_]+)}}(.*?)\\{\\{/\\1}}", Pattern.DOTALL);
    private static final Pattern VARIABLE = Pattern.compile("\\{\\{([a-z_]+)}}");
    private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,63}$");

    /**
     * One argument of a prompt; {@code completes} is what it names for completions and rule 5
     * ({@link Completions.Kind}), its own name unless the front matter's {@code completes} says
     * otherwise (promote_best_model's {@code model} is a registered model, not a trained one).
     */
    public record Argument(String name, String description, boolean required, String completes) {
        public Argument(String name, String description, boolean required) {
            this(name, description, required, name);
        }
    }

    /** A prompt: its description for clients, its arguments and its template. */
    public record Prompt(String name, String title, String description, List<Argument> arguments, String template, boolean system) {
        public Prompt {
            arguments = List.copyOf(arguments);
        }
    }

    private final Map<String, Prompt> prompts;

    private PromptLibrary(Map<String, Prompt> prompts) {
        this.prompts = prompts;
    }

    public static PromptLibrary empty() {
        return new PromptLibrary(Map.of());
    }

    /** Reads every {@code *.md} in {@code dir} but README.md; a malformed file fails the load with its name. */
    public static PromptLibrary load(Path dir) throws IOException {
        Map<String, Prompt> out = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return new PromptLibrary(Map.of());
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".md") && !p.getFileName().toString().equalsIgnoreCase("README.md"))
                    .sorted(Comparator.comparing(Path::toString)).toList();
        }
        YAMLMapper yaml = YAMLMapper.builder().build();
        for (Path f : files) {
            Prompt p = parse(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8), yaml);
            if (out.putIfAbsent(p.name(), p) != null) {
                throw new IllegalArgumentException("prompt name " + p.name() + " is used twice (" + f + ")");
            }
        }
        return new PromptLibrary(Map.copyOf(out));
    }

    static Prompt parse(String file, String text, YAMLMapper yaml) {
        Matcher m = FRONT_MATTER.matcher(text.replace("\r\n", "\n"));
        if (!m.matches()) {
            throw new IllegalArgumentException("prompt " + file + " must start with front matter between '---' lines");
        }
        JsonNode head = yaml.readTree(m.group(1));
        String name = head.path("name").asString("");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("prompt " + file + ": name must be lowercase letters, digits, _ or -, was '" + name + "'");
        }
        List<Argument> args = new ArrayList<>();
        for (JsonNode a : head.path("arguments")) {
            String argName = a.path("name").asString("");
            if (!argName.matches("[a-z_]+")) {
                throw new IllegalArgumentException("prompt " + file + ": argument name must be lowercase letters and _, was '" + argName + "'");
            }
            args.add(new Argument(argName, a.path("description").asString(""), a.path("required").asBoolean(false),
                    a.path("completes").asString(argName)));
        }
        return new Prompt(name, head.path("title").asString(name), head.path("description").asString(""), args, m.group(2).strip(),
                "system".equals(head.path("kind").asString("")));
    }

    /** {@code arguments} keyed by what each names ({@link Argument#completes}) instead of its name: what rule 5 checks. */
    public static Map<String, String> byKind(Prompt prompt, Map<String, String> arguments) {
        Map<String, String> out = new LinkedHashMap<>();
        arguments.forEach((k, v) -> out.put(prompt.arguments().stream().filter(a -> a.name().equals(k)).findFirst().map(Argument::completes)
                .orElse(k), v));
        return out;
    }

    /** What argument {@code argument} of {@code prompt} names for completions; its own name for one the prompt does not have. */
    public static String kindOf(Prompt prompt, String argument) {
        return prompt.arguments().stream().filter(a -> a.name().equals(argument)).findFirst().map(Argument::completes).orElse(argument);
    }

    /**
     * The prompts in {@code dir} when it exists, else the copy bundled in the jar ({@code prompts/}
     * on the class path, listed by its {@code index.txt}), else none.
     */
    public static PromptLibrary loadOrBundled(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return load(dir);
        }
        ClassLoader loader = PromptLibrary.class.getClassLoader();
        try (java.io.InputStream index = loader.getResourceAsStream("prompts/index.txt")) {
            if (index == null) {
                return empty();
            }
            YAMLMapper yaml = YAMLMapper.builder().build();
            Map<String, Prompt> out = new LinkedHashMap<>();
            for (String file : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                if (file.isBlank()) {
                    continue;
                }
                try (java.io.InputStream in = loader.getResourceAsStream("prompts/" + file.trim())) {
                    if (in == null) {
                        throw new IllegalStateException("prompts/index.txt lists " + file + ", which the jar does not hold");
                    }
                    Prompt p = parse(file, new String(in.readAllBytes(), StandardCharsets.UTF_8), yaml);
                    out.put(p.name(), p);
                }
            }
            return new PromptLibrary(Map.copyOf(out));
        }
    }

    /** The MCP prompts (not the system prompts), by name. */
    public List<Prompt> prompts() {
        return prompts.values().stream().filter(p -> !p.system()).sorted(Comparator.comparing(Prompt::name)).toList();
    }

    public Optional<Prompt> find(String name) {
        return Optional.ofNullable(prompts.get(name));
    }

    /** The system prompt named {@code name}, if the library has it. */
    public Optional<String> system(String name) {
        return find(name).filter(Prompt::system).map(Prompt::template);
    }

    /**
     * The prompt's text with its arguments in place. A missing required argument, an unknown
     * argument or an unknown prompt is INVALID_ARGUMENT or NOT_FOUND naming it.
     */
    public String render(String name, Map<String, String> arguments) {
        Prompt p = prompts.get(name);
        if (p == null || p.system()) {
            throw new ToolException(ErrorCode.NOT_FOUND, "No prompt '" + Json.shorten(name) + "'.",
                    "Use one of: " + String.join(", ", prompts().stream().map(Prompt::name).toList()) + ".");
        }
        Map<String, String> given = arguments == null ? Map.of() : arguments;
        for (String key : given.keySet()) {
            if (p.arguments().stream().noneMatch(a -> a.name().equals(key))) {
                throw ToolException.invalidArgument(key, "Prompt " + name + " has no argument '" + Json.shorten(key) + "'.",
                        "Its arguments: " + String.join(", ", p.arguments().stream().map(Argument::name).toList()) + ".");
            }
        }
        for (Argument a : p.arguments()) {
            String v = given.get(a.name());
            if (a.required() && (v == null || v.isBlank())) {
                throw ToolException.invalidArgument(a.name(), "Prompt " + name + " needs argument '" + a.name() + "' (" + a.description() + ").",
                        "Give " + a.name() + " and ask again.");
            }
        }
        String text = SECTION.matcher(p.template()).replaceAll(r -> {
            String v = given.get(r.group(1));
            return v == null || v.isBlank() ? "" : Matcher.quoteReplacement(r.group(2));
        });
        return VARIABLE.matcher(text).replaceAll(r -> Matcher.quoteReplacement(given.getOrDefault(r.group(1), "").trim()));
    }
}
