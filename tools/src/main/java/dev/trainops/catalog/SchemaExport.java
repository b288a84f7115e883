package dev.trainops.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Build step (process-classes): writes the input and output JSON Schema of every record in
 * {@code dev.trainops} to {@code schemas/in|out/<class>.json} on the classpath, so a starting
 * server reads them instead of generating them (victools takes tens of milliseconds a tool).
 * {@link Schemas} falls back to generating when a file is missing.
 */
public final class SchemaExport {
    private SchemaExport() {
    }

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int written = 0;
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes.resolve("dev/trainops"))) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        for (Path f : files) {
            String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
            Class<?> type;
            try {
                type = Class.forName(name, false, SchemaExport.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            if (!type.isRecord()) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Class<? extends Record> record = (Class<? extends Record>) type;
            java.util.Map<String, Object> in;
            java.util.Map<String, Object> outSchema;
            try {
                in = Schemas.generateInput(record);
                outSchema = Schemas.generateOutput(record);
            } catch (RuntimeException e) {
                // not a tool record (e.g. Tool itself, which holds functions): nothing to export
                continue;
            }
            write(out.resolve("in").resolve(type.getName() + ".json"), in);
            write(out.resolve("out").resolve(type.getName() + ".json"), outSchema);
            // what a server will read back must be what it would have generated
            if (!in.equals(Schemas.read(Files.readString(out.resolve("in").resolve(type.getName() + ".json"))))
                    || !outSchema.equals(Schemas.read(Files.readString(out.resolve("out").resolve(type.getName() + ".json"))))) {
                throw new IllegalStateException("schema export: " + type.getName() + " does not read back equal");
            }
            written++;
        }
        System.out.println("schema export: " + written + " records -> " + out);
    }

    private static void write(Path file, java.util.Map<String, Object> schema) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Schemas.PLAIN.writeValueAsString(schema));
    }
}
