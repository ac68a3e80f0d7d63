module App.Program

let scale (k: int) (xs: int list) = xs |> List.map (fun x -> x * k)

let shift (d: int) (xs: int list) = xs |> List.map (fun x -> x + d)

let Run () : string =
    scale 2 [ 1; 2; 3 ] |> shift 10 |> List.map string |> String.concat ","
