module App.Program

type Shape =
    | Circle of radius: float
    | Square of side: float
    | Empty

type Answer =
    | Yes
    | No

let area shape =
    match shape with
    | Circle r -> 3.14 * r * r
    | Square s -> s * s + 1.0
    | Empty -> 0.0

let describe (n: int) = if n > 0 then "positive" else "other"

let Run () : string =
    let shapes = [ Circle 1.0; Square 3.0; Empty ]
    describe 3 + " " + string (List.sumBy area shapes) + " " + string (shapes |> List.filter (fun s -> s <> Empty) |> List.length)
