package io.norm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.Backend;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `bench --plot` writes a PNG picture of the results. */
class BenchPlotTest {
    @Test
    void writesAPng(@TempDir Path dir) throws Exception {
        List<BenchCommand.Result> results = new ArrayList<>();
        List<BenchCases.Case> cases = BenchCases.cases(false).subList(0, 4);
        for (BenchCases.Case c : cases)
            for (Backend b : BenchCommand.BACKENDS) results.add(new BenchCommand.Result(c, b, 1000 + b.ordinal() * 300, Double.NaN));
        Path png = dir.resolve("bench.png");
        BenchPlot.write(results, 40.0, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image != null, "a readable PNG");
        assertEquals(1000, image.getWidth());
    }
}
