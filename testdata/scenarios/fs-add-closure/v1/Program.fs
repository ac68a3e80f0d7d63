module App.Program

let scale (k: int) (xs: int list) = xs |> List.map (fun x -> x * k)

let Run () : string =
    String.concat "," (List.map string (scale 2 [ 1; 2; 3 ]))
