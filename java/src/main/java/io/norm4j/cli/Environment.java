package io.norm4j.cli;

import io.norm4j.Backend;
import io.norm4j.RuntimeInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the CLI reports about this machine and process: CPU, ISA, backends. */
final class Environment {
    private Environment() {}

    static Map<String, Object> backends() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE, Backend.ONEDNN}) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("available", b.isAvailable());
            b.unavailableReason().ifPresent(r -> info.put("reason", r));
            if (b == Backend.NATIVE) RuntimeInfo.activeIsa().ifPresent(isa -> info.put("isa", isa));
            if (b == Backend.ONEDNN) RuntimeInfo.onednnVersion().ifPresent(v -> info.put("version", v));
            all.put(b.id(), info);
        }
        return all;
    }

    /** The JSON document's header fields, before "results". */
    static Map<String, Object> header() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("norm4j", RuntimeInfo.version());
        doc.put("cpu", RuntimeInfo.cpu());
        doc.put("isa", RuntimeInfo.activeIsa().orElse("none"));
        RuntimeInfo.lastLevelCacheBytes().ifPresent(b -> doc.put("last_level_cache_bytes", b));
        RuntimeInfo.lastLevelCacheSource().ifPresent(s -> doc.put("last_level_cache_source", s));
        doc.put("backends", backends());
        return doc;
    }

    static String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("norm4j ").append(RuntimeInfo.version()).append('\n');
        sb.append("CPU:  ").append(RuntimeInfo.cpu()).append('\n');
        sb.append("ISA:  detected ").append(RuntimeInfo.detectedIsa().orElse("none")).append(", NATIVE runs ")
                .append(RuntimeInfo.activeIsa().orElse("none")).append('\n');
        RuntimeInfo.lastLevelCacheBytes().ifPresent(b -> sb.append("LLC:  ").append(b >> 20).append(" MiB per core, from ")
                .append(RuntimeInfo.lastLevelCacheSource().orElse("?")).append('\n'));
        sb.append("Java: ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append('\n');
        sb.append("Backends:\n");
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE, Backend.ONEDNN}) {
            sb.append(String.format("  %-9s %s", b.id(), b.isAvailable() ? "loaded" : "NOT loaded"));
            if (b == Backend.NATIVE) RuntimeInfo.activeIsa().ifPresent(isa -> sb.append(" (").append(isa).append(')'));
            if (b == Backend.ONEDNN) RuntimeInfo.onednnVersion().ifPresent(v -> sb.append(" (oneDNN ").append(v).append(')'));
            b.unavailableReason().ifPresent(r -> sb.append(": ").append(r));
            sb.append('\n');
        }
        return sb.toString();
    }
}
