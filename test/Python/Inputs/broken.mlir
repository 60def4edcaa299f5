// A cell whose body uses an op without a derivative rule (math.sin): the
// compiler must reject it, and the binding must raise CompileError with the
// compiler's diagnostic.
flashrnn.cell @broken gates(g: rec in bias) states(h = 0.0 recurrent)
    body(%h: f32, %g: f32) {
  %s = math.sin %g : f32
  flashrnn.yield %s : f32
}
