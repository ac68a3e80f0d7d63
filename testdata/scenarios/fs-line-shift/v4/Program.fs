module Scn.Program
// pricing helpers

let scale k xs = xs |> List.map (fun x -> x * k + 1)

let positiveSum (xs: int list) = xs |> List.filter (fun x -> x > 5) |> List.sum

let Run () : string =
    let ys = scale 4 [ 1; -2; 3 ]
    "sum: " + string (positiveSum ys)
