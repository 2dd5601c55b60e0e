# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make bench's plot: Mpps (64 B frames, one core) against chain length, one
# line per system, median with the min-max of the rounds as error bars.
# Run in build/bench: reads chain.dat and chain.ncols, writes chain.png.
set terminal pngcairo size 900,560 font "sans,10"
set output "chain.png"
set title "Throughput against chain length, 64 B frames, one core (median, min–max)"
set xlabel "SFs in the chain (N)"
set ylabel "Mpps (log scale)"
set logscale y
set xrange [-0.3:8.3]
set xtics (0, 1, 2, 4, 8)
set grid ytics mytics xtics
set key outside right top
nser = int(system("cat chain.ncols"))
lim = 2 + 3 * (nser - 1)
plot for [i=0:nser-2] "chain.dat" using 1:(column(2+3*i)):(column(3+3*i)):(column(4+3*i)) \
	with yerrorlines lw 2 pointsize 1.2 title columnheader(2+3*i), \
	"chain.dat" using 1:(column(lim)) with lines lw 2 dashtype 2 lc "gray40" \
	title columnheader(lim)
