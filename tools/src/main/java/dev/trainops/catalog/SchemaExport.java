package dev.trainops.catalog;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Build step (process-classes): writes the input and output JSON Schema of every record in
 * {@code dev.trainops} to {@code schemas/in|out/<class>.json} on the classpath, so a starting
 * server reads them instead of generating them (victools takes tens of milliseconds a tool).
 * {@link Schemas} falls back to generating when a file is missing.
 *
 * <p>A record whose schema cannot be generated fails the build, naming the record and why: a tool
 * would otherwise lose its schema silently and pay for generating it (and fail) at run time. Only
 * records that cannot be JSON by construction are passed over: those holding a {@link Class} or a
 * function ({@link Tool}, {@link CallContext}).
 */
public final class SchemaExport {
    private SchemaExport() {
    }

    public static void main(String[] args) throws IOException {
        Path classes = Path.of(args[0]);
        Path out = Path.of(args[1]);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes.resolve("dev/trainops"))) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        List<Class<?>> types = new ArrayList<>();
        for (Path f : files) {
            String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
            try {
                types.add(Class.forName(name, false, SchemaExport.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                throw new IllegalStateException("schema export: cannot load " + name + ": " + e, e);
            }
        }
        int written = export(types, out);
        System.out.println("schema export: " + written + " records -> " + out);
    }

    /**
     * Writes the schemas of the records among {@code types} and returns how many; throws naming
     * every record whose schema could not be generated or does not read back equal.
     */
    static int export(List<Class<?>> types, Path out) throws IOException {
        int written = 0;
        List<String> broken = new ArrayList<>();
        for (Class<?> type : types) {
            if (!type.isRecord() || !jsonShaped(type)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            Class<? extends Record> record = (Class<? extends Record>) type;
            Map<String, Object> in;
            Map<String, Object> outSchema;
            try {
                in = Schemas.generateInput(record);
                outSchema = Schemas.generateOutput(record);
            } catch (RuntimeException e) {
                broken.add(type.getName() + ": " + e.getMessage());
                continue;
            }
            Path inFile = out.resolve("in").resolve(type.getName() + ".json");
            Path outFile = out.resolve("out").resolve(type.getName() + ".json");
            write(inFile, in);
            write(outFile, outSchema);
            // what a server will read back must be what it would have generated
            if (!in.equals(Schemas.read(Files.readString(inFile))) || !outSchema.equals(Schemas.read(Files.readString(outFile)))) {
                broken.add(type.getName() + ": does not read back equal");
                continue;
            }
            written++;
        }
        if (!broken.isEmpty()) {
            throw new IllegalStateException("schema export: " + broken.size() + " record(s) have no schema:\n  "
                    + String.join("\n  ", broken));
        }
        return written;
    }

    /** False for a record that holds a Class or a function: it is machinery, never a tool's arguments or answer. */
    static boolean jsonShaped(Class<?> record) {
        for (RecordComponent c : record.getRecordComponents()) {
            Class<?> t = c.getType();
            if (t == Class.class || t.isAnnotationPresent(FunctionalInterface.class)) {
                return false;
            }
        }
        return true;
    }

    private static void write(Path file, Map<String, Object> schema) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Schemas.PLAIN.writeValueAsString(schema));
    }
}
