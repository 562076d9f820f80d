# chart.awk — bench/run.sh's results.tsv as an SVG bar chart: for every
# kernel, one horizontal bar per weft mode, its CPU-time ratio to native on
# a log scale (1x = native, the dashed line).  Failed modes get no bar.
#   awk -F'\t' -f bench/chart.awk build/bench/results.tsv > chart.svg
BEGIN { FS = "\t"; nk = 0; nm = 0; hi = 2 }
NR == 1 { next }
$3 == "native" || $3 == "native-march" || $6 != "ok" || $9 == "" { next }
{
    if (!($1 in kidx)) { kidx[$1] = nk; kname[nk++] = $1 }
    if (!($3 in midx)) { midx[$3] = nm; mname[nm++] = $3 }
    r[$1, $3] = $9 + 0
    if ($9 + 0 > hi) hi = $9 + 0
}
function x(v) { return left + width * (log(v) - log(lo)) / (log(hi) - log(lo)) }
END {
    if (nk == 0) exit 1
    lo = 0.5; left = 110; width = 560; bar = 9
    split("#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf", color, " ")
    group = nm * bar + 8
    h = 40 + nk * group + 20 + nm * 16
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", h
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
    printf "<text x=\"10\" y=\"16\" font-size=\"13\">weft: CPU time / native gcc -O2 (log scale; lower is better)</text>\n"
    for (t = 0.5; t <= hi * 1.001; t *= 2) {
        printf "<line x1=\"%.1f\" y1=\"28\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"%s/>\n", x(t), x(t),
            40 + nk * group, t == 1 ? "black" : "#ddd", t == 1 ? " stroke-dasharray=\"4 3\"" : ""
        printf "<text x=\"%.1f\" y=\"26\" text-anchor=\"middle\">%gx</text>\n", x(t), t
    }
    for (k = 0; k < nk; k++) {
        y0 = 36 + k * group
        printf "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", left - 6, y0 + group / 2, kname[k]
        for (m = 0; m < nm; m++) {
            if (!((kname[k], mname[m]) in r)) continue
            v = r[kname[k], mname[m]]
            if (v < lo) v = lo
            printf "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s %.2fx</title></rect>\n",
                left, y0 + m * bar, x(v) - left, bar - 1, color[m % 10 + 1], kname[k], mname[m], v
        }
    }
    for (m = 0; m < nm; m++) {
        y = 40 + nk * group + 14 + m * 16
        printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"10\" fill=\"%s\"/>", left, y - 9, color[m % 10 + 1]
        printf "<text x=\"%d\" y=\"%d\">%s</text>\n", left + 18, y, mname[m]
    }
    print "</svg>"
}
