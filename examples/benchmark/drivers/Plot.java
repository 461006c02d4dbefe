import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * Draws the throughput figures of one benchmark run as a PNG: one panel per figure whose unit is a rate
 * (".../s"), with a bar for ours and one for the reference (the median of the repeats), a whisker from the
 * smallest to the largest repeat, the values, and the ratio. Java2D only, headless.
 *
 * <p>Usage: {@code java -cp "$BENCH_JAVA_CP" examples/benchmark/drivers/Plot.java RESULTS_DIR OUT.png}
 */
public class Plot {

    private static final int PANEL_W = 420;
    private static final int PANEL_H = 330;
    private static final int COLUMNS = 3;
    private static final Color OURS = new Color(0x2a6fb0);
    private static final Color REF = new Color(0x9a9a9a);

    record Figure(int caseNo, String what, String unit, double[] ours, double[] ref) {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<Figure> figures = load(Path.of(args[0]));
        if (figures.isEmpty()) {
            System.err.println("no throughput figure in " + args[0]);
            return;
        }
        int rows = (figures.size() + COLUMNS - 1) / COLUMNS;
        int columns = Math.max(2, Math.min(COLUMNS, figures.size()));
        BufferedImage image = new BufferedImage(columns * PANEL_W, rows * PANEL_H + 50, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Tiered Archive throughput vs. its reference", 16, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("bars: median of the repeats; whiskers: smallest to largest repeat", 16, 42);
        for (int i = 0; i < figures.size(); i++) {
            panel(g, figures.get(i), (i % COLUMNS) * PANEL_W, 50 + (i / COLUMNS) * PANEL_H);
        }
        g.dispose();
        ImageIO.write(image, "png", new File(args[1]));
        System.out.println("wrote " + args[1]);
    }

    private static List<Figure> load(Path dir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Figure> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                JsonNode d = json.readTree(f.toFile());
                String unit = d.path("unit").asText("");
                if (d.has("case") && unit.endsWith("/s") && d.path("ours").size() > 0) {
                    out.add(new Figure(d.get("case").asInt(), d.path("what").asText(f.toString()), unit,
                            numbers(d.path("ours")), numbers(d.path("ref"))));
                }
            }
        }
        out.sort(Comparator.comparingInt(Figure::caseNo).thenComparing(Figure::what));
        return out;
    }

    private static double[] numbers(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).asDouble();
        }
        Arrays.sort(v);
        return v;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void panel(Graphics2D g, Figure f, int x, int y) {
        int left = x + 60;
        int bottom = y + PANEL_H - 60;
        int top = y + 80;
        int height = bottom - top;
        double max = Math.max(f.ours()[f.ours().length - 1], f.ref().length > 0 ? f.ref()[f.ref().length - 1] : 0);
        double scale = niceCeiling(max * 1.1);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(f.caseNo() + ". " + f.what(), x + 16, y + 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        if (f.ref().length > 0) {
            g.drawString(String.format("ratio %.2fx", median(f.ours()) / median(f.ref())), x + 16, y + 44);
        }
        g.setColor(new Color(0xdddddd));
        for (int t = 0; t <= 4; t++) {
            int ty = bottom - height * t / 4;
            g.drawLine(left, ty, x + PANEL_W - 30, ty);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label(scale * t / 4), x + 8, ty + 4);
            g.setColor(new Color(0xdddddd));
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString(f.unit(), x + 8, top - 8);
        bar(g, f.ours(), "ours", OURS, left + 40, bottom, height, scale);
        if (f.ref().length > 0) {
            bar(g, f.ref(), "reference", REF, left + 190, bottom, height, scale);
        }
    }

    private static void bar(Graphics2D g, double[] v, String name, Color color, int x, int bottom, int height,
                            double scale) {
        int w = 110;
        double m = median(v);
        int h = (int) Math.round(height * m / scale);
        g.setColor(color);
        g.fillRect(x, bottom - h, w, h);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(2));
        int lo = bottom - (int) Math.round(height * v[0] / scale);
        int hi = bottom - (int) Math.round(height * v[v.length - 1] / scale);
        int cx = x + w / 2;
        g.drawLine(cx, lo, cx, hi);
        g.drawLine(cx - 8, lo, cx + 8, lo);
        g.drawLine(cx - 8, hi, cx + 8, hi);
        g.setStroke(new BasicStroke(1));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(label(m), x + 4, Math.min(hi, bottom - h) - 6);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(name, x + 4, bottom + 18);
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
    }
}
