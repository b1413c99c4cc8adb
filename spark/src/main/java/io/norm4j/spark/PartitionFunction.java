package io.norm4j.spark;

import java.io.Serializable;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * A Java function over one partition's records, run as a barrier stage: Spark launches every task
 * of the stage together, so they can exchange values ({@link Messages#allGather}). The Java RDD API
 * has no barrier mode; this goes through the Scala one.
 */
@FunctionalInterface
interface PartitionFunction<T, S> extends Serializable {
    Iterator<S> apply(Iterator<T> records);

    /** rdd's partitions through f, all tasks launched together. */
    static <T, S> JavaRDD<S> inBarrierStage(JavaRDD<T> rdd, PartitionFunction<T, S> f, Class<S> type) {
        ClassTag<S> tag = ClassTag$.MODULE$.apply(type);
        RDD<S> out = rdd.rdd().barrier().mapPartitions(new ScalaFunction<>(f), false, tag);
        return new JavaRDD<>(out, tag);
    }

    /** f as the Scala function RDDBarrier takes. */
    final class ScalaFunction<T, S> extends AbstractFunction1<scala.collection.Iterator<T>, scala.collection.Iterator<S>>
            implements Serializable {
        private static final long serialVersionUID = 1L;
        private final PartitionFunction<T, S> f;

        ScalaFunction(PartitionFunction<T, S> f) {
            this.f = f;
        }

        @Override
        public scala.collection.Iterator<S> apply(scala.collection.Iterator<T> records) {
            return CollectionConverters.asScala(f.apply(CollectionConverters.asJava(records)));
        }
    }
}
