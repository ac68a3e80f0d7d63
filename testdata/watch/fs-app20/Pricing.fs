// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Pricing

type PricingItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "pricing-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 7 + 5

let total (items: PricingItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: PricingItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Customers.scale x + 1
