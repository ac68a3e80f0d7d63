module App.Program

let scale (k: int) (xs: int list) = xs |> List.map (fun x -> x * k)

let shift (d: int) (xs: int list) = xs |> List.map (fun x -> x + d * 2)

let keepEven (xs: int list) = xs |> List.filter (fun x -> x % 2 = 0)

let Run () : string =
    String.concat "," (List.map string (keepEven (shift 10 (scale 3 [ 1; 2; 3 ]))))
