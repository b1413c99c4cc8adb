package io.norm4j.spark;

import java.util.List;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * Save and load for the estimators and models here, in Spark ML's own layout so that a Pipeline
 * holding them saves and loads too: {@code path/metadata} as Spark's default params writer makes
 * it (class, uid, Spark version, params and their defaults), and a model's learned values as one
 * Parquet row in {@code path/data}.
 */
final class Persistence {
    private Persistence() {}

    /** A writer of instance's params and, for a model, its data (one row of schema). */
    static MLWriter writer(Params instance, Row data, StructType schema) {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
                if (data != null) sparkSession().createDataFrame(List.of(data), schema).coalesce(1).write().parquet(path + "/data");
            }
        };
    }

    /** What {@link #reader} builds an instance from: its uid and, for a model, its data row. */
    interface Factory<T> {
        T make(String uid, Row data);
    }

    /** A reader of instances of type saved by {@link #writer}; withData: read path/data as well. */
    static <T extends Params> MLReader<T> reader(Class<T> type, boolean withData, Factory<T> factory) {
        return new MLReader<>() {
            @Override
            public T load(String path) {
                SparkSession spark = sparkSession();
                DefaultParamsReader.Metadata meta = DefaultParamsReader$.MODULE$.loadMetadata(path, spark, "");
                if (!meta.className().equals(type.getName())) {
                    throw new IllegalArgumentException(path + " holds a " + meta.className() + ", not a " + type.getName());
                }
                Row data = withData ? spark.read().parquet(path + "/data").first() : null;
                T instance = factory.make(meta.uid(), data);
                meta.getAndSetParams(instance, scala.Option.empty());
                return instance;
            }
        };
    }
}
