module App.Program

let scale (k: int) (xs: int list) = xs |> List.map (fun x -> x * k)

let shift (d: int) (xs: int list) = xs |> List.map (fun x -> x + d)

let Run () : string =
    String.concat "," (List.map string (shift 10 (scale 2 [ 1; 2; 3 ])))
