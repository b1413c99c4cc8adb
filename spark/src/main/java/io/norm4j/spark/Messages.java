package io.norm4j.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.spark.BarrierTaskContext;

/**
 * What the tasks of a barrier stage tell each other through {@link BarrierTaskContext#allGather}:
 * each task's value, or the reason it has none. A task that failed still takes part in the
 * exchange, so every task learns of the failure at once and fails with the same message rather
 * than wait for a partner that never arrives.
 */
final class Messages {
    private Messages() {}

    private static final String OK = "ok:", FAILED = "failed:";

    /**
     * Every task's value in partition order, once each task has offered its own ({@code mine}) or
     * the reason it has none ({@code failure}, non-null). Throws the first failure as an
     * IllegalArgumentException on every task.
     */
    static <T extends Serializable> List<T> allGather(T mine, RuntimeException failure, Class<T> type) {
        BarrierTaskContext context = BarrierTaskContext.get();
        String message = failure == null ? OK + encode(mine)
                : FAILED + "partition " + context.partitionId() + ": " + failure.getMessage();
        String[] all = context.allGather(message);
        for (String m : all) {
            if (m.startsWith(FAILED)) throw new IllegalArgumentException(m.substring(FAILED.length()), failure);
        }
        List<T> values = new ArrayList<>(all.length);
        for (String m : all) values.add(type.cast(decode(m.substring(OK.length()))));
        return values;
    }

    static String encode(Serializable value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static Object decode(String text) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
